package mockidp

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// DefaultAMR is the amr of a mock login when the control plane queued none:
// ["email"], as in the Descope OIDC tokens the mock's claims were checked
// against ("amr":["email"] in a captured access token of an email login).
var DefaultAMR = []string{"email"}

// handleAuthorize serves GET|POST /oauth2/v1/authorize (tokens with the
// project's URL issuer, {base}/{pid}, as the project discovery document
// says) and /oauth2/v1/apps/authorize (the inbound-apps issuer).
//
// Who logs in, first match wins: the login page's choice (its form posts
// back here), the control plane's queued login, the login_hint (a login ID
// or user ID; ignored with prompt=login), else the login page, or
// login_required with prompt=none. Every login is fresh: the mock keeps no
// browser session.
//
// Its failures are pages or redirects, never the JSON error body: a browser
// is at the other end.
func (s *Server) handleAuthorize(form string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		values, postedParams, err := s.authorizeValues(w, r)
		if err != nil {
			return writePage(w, http.StatusBadRequest, errorPage("Invalid request", "invalid_request", err.Error(), "")), nil
		}
		req, aerr := parseAuthorize(values, s.oauthClient)
		if aerr != nil {
			return s.refuseAuthorize(w, r, aerr), nil
		}
		back := &authorizeError{RedirectURI: req.RedirectURI, State: req.State}
		fail := func(code, desc string) (int, error) {
			back.Code, back.Description = code, desc
			return s.refuseAuthorize(w, r, back), nil
		}
		if values.Get(fieldCancel) != "" {
			return fail("access_denied", "the user cancelled the login")
		}
		var (
			user   User
			amr    = DefaultAMR
			found  bool
			chosen = firstNonEmpty(values.Get(fieldLogin), values.Get(fieldLoginID))
		)
		switch {
		case chosen != "":
			if user, found = s.LookupUser(chosen); !found {
				again := ""
				if r.Method == http.MethodGet || r.URL.RawQuery != "" {
					again = r.URL.Path + "?" + stripLoginFields(r.URL.Query()).Encode()
				}
				return writePage(w, http.StatusBadRequest, errorPage("Unknown user", "invalid_request",
					"no user has the login ID or user ID "+truncate(chosen, 64)+"; the project's users are listed on the login page", again)), nil
			}
		default:
			if q, u, ok := s.state.NextLogin(); ok {
				user, found = u, true
				if len(q.AMR) > 0 {
					amr = q.AMR
				}
				break
			}
			if req.LoginHint != "" && req.Prompt != "login" {
				user, found = s.LookupUser(req.LoginHint)
			}
		}
		if !found {
			if req.Prompt == "none" {
				return fail("login_required", "prompt=none but no user is logged in: send a login_hint naming a user, or queue a login (POST /_mock/logins)")
			}
			var hidden url.Values
			if postedParams {
				hidden = stripLoginFields(values)
			}
			return s.serveLoginPage(w, hidden), nil
		}
		if user.Disabled {
			return fail("access_denied", "the user "+truncate(user.ID, 64)+" is disabled")
		}
		code, err := s.state.IssueCode(state.Grant{
			ClientID: req.ClientID, RedirectURI: req.RedirectURI, Challenge: req.CodeChallenge, Nonce: req.Nonce,
			Scopes: req.Scopes, UserID: user.ID, AMR: amr, AuthTime: s.clock.Now(), IssuerForm: form,
		})
		if errors.Is(err, state.ErrUserNotFound) {
			return fail("access_denied", "the user "+truncate(user.ID, 64)+" was removed during the login")
		}
		if err != nil {
			// A limit of the mock, not the client's fault: a page naming it
			// (409), as every full store answers, rather than a redirect.
			return writePage(w, http.StatusConflict, errorPage("Limit reached", CodeMockLimit,
				fmt.Sprintf("the mock holds at most %d authorization codes or %d bytes of them (MaxAuthorizationCodes, MaxAuthorizationCodeBytes): exchange or let some expire, or reset",
					MaxAuthorizationCodes, MaxAuthorizationCodeBytes), "")), nil
		}
		v := url.Values{"code": {code}}
		if req.State != "" {
			v.Set("state", req.State)
		}
		w.Header()["Cache-Control"] = noStore
		http.Redirect(w, r, redirectWith(req.RedirectURI, v), http.StatusFound)
		return http.StatusFound, nil
	}
}

// refuseAuthorize redirects an error back to the client when its redirect
// URI is known good, and shows the error page otherwise.
func (s *Server) refuseAuthorize(w http.ResponseWriter, r *http.Request, e *authorizeError) int {
	s.log.Info("authorization request refused", "error", e.Code, "reason", e.Description, "redirect", e.RedirectURI != "")
	if e.RedirectURI == "" {
		return writePage(w, http.StatusBadRequest, errorPage("The login request is invalid", e.Code, e.Description, ""))
	}
	w.Header()["Cache-Control"] = noStore
	http.Redirect(w, r, e.redirectURL(), http.StatusFound)
	return http.StatusFound
}

// authorizeValues are the request's parameters: the query, plus for a POST
// its form body (a name in both counts as repeated). postedParams says the
// authorization parameters came in the body, so a login page must carry
// them as hidden fields.
func (s *Server) authorizeValues(w http.ResponseWriter, r *http.Request) (url.Values, bool, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, false, errors.New("malformed query: " + err.Error())
	}
	if r.Method != http.MethodPost {
		return values, false, nil
	}
	body, err := s.readFormBody(w, r)
	if err != nil {
		return nil, false, err
	}
	posted := false
	for k, v := range body {
		if !strings.HasPrefix(k, "mockidp_") {
			posted = true
		}
		values[k] = append(values[k], v...)
	}
	return values, posted, nil
}

// readFormBody reads an application/x-www-form-urlencoded body within the
// body limit; an empty body is no parameters.
func (s *Server) readFormBody(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, errors.New("Content-Type must be application/x-www-form-urlencoded")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errors.New("request body exceeds " + strconv.FormatInt(s.cfg.MaxBodyBytes, 10) + " bytes")
		}
		return nil, errors.New("reading body: " + err.Error())
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("malformed form body: " + err.Error())
	}
	return v, nil
}

func stripLoginFields(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vv := range v {
		if !strings.HasPrefix(k, "mockidp_") {
			out[k] = vv
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// serveLoginPage writes the login page listing the current users.
func (s *Server) serveLoginPage(w http.ResponseWriter, hidden url.Values) int {
	if hidden != nil {
		return writePage(w, http.StatusOK, loginPage(s.project.ID, s.Users(), hidden))
	}
	body := s.state.LoginPage(func(users []User) []byte { return loginPage(s.project.ID, users, nil) })
	return writePage(w, http.StatusOK, body)
}
