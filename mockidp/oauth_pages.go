package mockidp

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// The mock's HTML pages: the login page of the authorization endpoint, the
// error page shown when a request cannot be redirected back to its client,
// and the signed-out page of the end-session endpoint. Each is one
// self-contained document: inline CSS, no script, no external asset (the
// Content-Security-Policy says so to the browser), so it works offline.

// Form fields the login page posts back to the authorization endpoint
// (mock extensions: Descope runs its own flow pages there).
const (
	fieldLogin   = "mockidp_login"    // a user's button: its login ID
	fieldLoginID = "mockidp_login_id" // the free-text login ID
	fieldCancel  = "mockidp_cancel"   // the cancel button
)

const pageStyle = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}` +
	`h1{font-size:1.4rem}button{display:block;width:100%;margin:.4rem 0;padding:.6rem;text-align:left;font-size:1rem;cursor:pointer}` +
	`small{color:#666}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}.err{color:#b00020}code{word-break:break-all}`

var pageTemplates = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in - mockidp</title><style>` + pageStyle + `</style></head>
<body><h1>Sign in to {{.Project}}</h1>
<form method="post" id="login">{{range $k, $v := .Hidden}}{{range $v}}
<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
{{range .Users}}<button type="submit" name="` + fieldLogin + `" value="{{.LoginID}}" id="user-{{.LoginID}}">{{if .Name}}{{.Name}} {{end}}<small>{{.LoginID}}</small></button>
{{else}}<p>The project has no users yet.</p>
{{end}}{{if .More}}<p id="more-users">{{.More}} more users: type a login ID.</p>
{{end}}<p><label for="login-id">Login ID</label><input id="login-id" name="` + fieldLoginID + `" autocomplete="username"></p>
<button type="submit" id="submit">Sign in</button>
<button type="submit" name="` + fieldCancel + `" value="1" id="cancel">Cancel</button>
</form></body></html>
`))

var errorPageTemplate = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - mockidp</title><style>` + pageStyle + `</style></head>
<body><h1 class="err">{{.Title}}</h1><p id="error"><code>{{.Code}}</code></p><p id="error-description">{{.Description}}</p>
{{if .Again}}<p><a href="{{.Again}}" id="again">Try again</a></p>{{end}}</body></html>
`))

var signedOutPage = []byte(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out - mockidp</title><style>` + pageStyle + `</style></head>
<body><h1 id="signed-out">You are signed out</h1></body></html>
`)

// pageUser is one button of the login page.
type pageUser struct{ LoginID, Name string }

// maxPageName is how much of a user's name a login-page button shows.
const maxPageName = 128

// loginPage renders the login page listing users (by first login ID), the
// first MaxLoginPageUsers of them, each name cut to maxPageName bytes: the
// page stays small whatever the directory holds. hidden carries the
// authorization parameters of a POSTed request; a GET request's page posts
// back to its own URL, query included, and needs none.
func loginPage(project string, users []User, hidden url.Values) []byte {
	list := make([]pageUser, 0, len(users))
	for _, u := range users {
		if len(u.LoginIDs) > 0 {
			list = append(list, pageUser{u.LoginIDs[0], truncate(u.Name, maxPageName)})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].LoginID < list[j].LoginID })
	more := 0
	if len(list) > MaxLoginPageUsers {
		list, more = list[:MaxLoginPageUsers], len(list)-MaxLoginPageUsers
	}
	var b bytes.Buffer
	_ = pageTemplates.Execute(&b, map[string]any{"Project": project, "Users": list, "Hidden": hidden, "More": more})
	return b.Bytes()
}

// errorPage renders a refusal that must not be redirected.
func errorPage(title, code, description, again string) []byte {
	var b bytes.Buffer
	_ = errorPageTemplate.Execute(&b, map[string]string{"Title": title, "Code": code, "Description": description, "Again": again})
	return b.Bytes()
}

var (
	contentTypeHTML = []string{"text/html; charset=utf-8"}
	pageCSP         = []string{"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"}
	noSniff         = []string{"nosniff"}
)

// writePage writes an HTML page and returns the status written.
func writePage(w http.ResponseWriter, status int, body []byte) int {
	h := w.Header()
	h["Content-Type"] = contentTypeHTML
	h["Cache-Control"] = noStore
	h["Content-Security-Policy"] = pageCSP
	h["X-Content-Type-Options"] = noSniff
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}
