package mockidptest_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

func TestMyService(t *testing.T) {
	mock := mockidptest.Start(t, mockidp.Config{})
	mock.SetClock(time.Unix(mock.Now().Unix(), 0), true) // frozen, whole seconds

	v, err := auth.New(auth.Config{
		DiscoveryURL: mock.DiscoveryURL(),
		Audience:     mock.ProjectID(),
		Now:          mock.Now, // one shared clock
	})
	if err != nil {
		t.Fatal(err)
	}
	// No v.Start here: the first request loads the keys itself, so the
	// key-set fetches counted below are exact.
	srv := httptest.NewServer(v.Middleware(myHandler))
	defer srv.Close()

	token := mock.Token("admin-client") // as the token endpoint issues it
	wantStatus(t, srv, token, http.StatusOK)

	// Rotate keys: new tokens carry the new kid; the old key stays published.
	if err := mock.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	fresh := mock.Token("admin-client")
	wantStatus(t, srv, fresh, http.StatusOK) // unknown kid: the key set is refetched
	wantStatus(t, srv, token, http.StatusOK)

	// An expired token, or one that expires later on the shared clock.
	expired := mock.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetExpired})
	wantStatus(t, srv, expired, http.StatusUnauthorized)
	mock.Advance(10*time.Minute + 5*time.Second) // past the 10m TTL and the 5s leeway
	wantStatus(t, srv, fresh, http.StatusUnauthorized)

	// Break the key set: cached keys keep serving; a new kid cannot be learnt.
	mock.ClearRequests()
	if err := mock.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Status: 500}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, srv, mock.Token("admin-client"), http.StatusOK)
	if err := mock.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, srv, mock.Token("admin-client"), http.StatusUnauthorized)
	if n := mock.RequestCount(mockidp.EndpointJWKS); n != 1 {
		t.Errorf("key-set fetches during the outage: %d, want 1 (for the new kid only)", n)
	}
	mock.ClearFaults("")
}

// wantStatus calls srv with a bearer token and checks the response status.
func wantStatus(t *testing.T, srv *httptest.Server, token string, want int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Errorf("GET /api/me: status %d, want %d", resp.StatusCode, want)
	}
}

// myHandler stands for your service: it sees only authenticated requests.
var myHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	claims, _ := auth.FromContext(r.Context())
	fmt.Fprintf(w, "hello %s", claims.Subject)
})

// readmeExample names the declarations, in order, that the ```go block under
// readmeHeading in suites/README.md must consist of (each with its doc
// comment, separated by one blank line): the README shows TestMyService and
// its helpers exactly as this file runs them.
var readmeExample = []string{"TestMyService", "wantStatus", "myHandler"}

const readmeHeading = "### From Go (mockidptest)"

// TestReadmeExampleIsThisFile fails when the README's example is not,
// byte for byte, the source of the declarations in readmeExample.
func TestReadmeExampleIsThisFile(t *testing.T) {
	src, err := os.ReadFile("usage_test.go")
	if err != nil {
		t.Fatal(err)
	}
	want, err := declSources(src, readmeExample)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "suites", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := goBlockUnder(string(readme), readmeHeading)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("suites/README.md's example under %q is not the source of %v in usage_test.go%s",
			readmeHeading, readmeExample, firstDifference(got, want))
	}
}

// declSources cuts the named top-level declarations (functions, or var,
// const or type declarations of that single name) out of src, each from its
// doc comment to its end, and joins them with a blank line.
func declSources(src []byte, names []string) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "usage_test.go", src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	found := map[string]ast.Decl{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				found[d.Name.Name] = d
			}
		case *ast.GenDecl:
			if len(d.Specs) != 1 {
				continue
			}
			switch s := d.Specs[0].(type) {
			case *ast.ValueSpec:
				if len(s.Names) == 1 {
					found[s.Names[0].Name] = d
				}
			case *ast.TypeSpec:
				found[s.Name.Name] = d
			}
		}
	}
	parts := make([]string, 0, len(names))
	for _, name := range names {
		d, ok := found[name]
		if !ok {
			return "", fmt.Errorf("usage_test.go declares no %s", name)
		}
		start := d.Pos()
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		}
		parts = append(parts, string(src[fset.Position(start).Offset:fset.Position(d.End()).Offset]))
	}
	return strings.Join(parts, "\n\n"), nil
}

// goBlockUnder returns the body of the first ```go block after heading; no
// other heading may come between them.
func goBlockUnder(md, heading string) (string, error) {
	i := strings.Index(md, "\n"+heading+"\n")
	if i < 0 {
		return "", fmt.Errorf("no %q heading", heading)
	}
	section := md[i+len(heading)+1:]
	const opening, closing = "\n```go\n", "\n```\n"
	j := strings.Index(section, opening)
	if j < 0 || strings.Contains(section[:j+1], "\n#") {
		return "", fmt.Errorf("no ```go block under %q", heading)
	}
	body := section[j+len(opening):]
	k := strings.Index(body, closing)
	if k < 0 {
		return "", fmt.Errorf("the ```go block under %q is not closed", heading)
	}
	return body[:k], nil
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if i >= len(g) || i >= len(w) || gl != wl {
			return fmt.Sprintf("; first difference at line %d of the block:\n README: %q\n source: %q", i+1, gl, wl)
		}
	}
	return ""
}
