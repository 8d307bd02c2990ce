package mockidp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// TestUncleanPathsAnswerJSON: a path that net/http's path cleaning would
// change ("..", ".", an empty path) gets a Descope-shaped JSON 404, never
// ServeMux's HTML redirect, on the surface and on the control plane.
func TestUncleanPathsAnswerJSON(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	pid := s.ProjectID()
	for _, tc := range []struct{ method, path, code string }{
		{http.MethodGet, "//v2/keys/..", mockidp.CodeNotFound},
		{http.MethodGet, "/v2/keys/" + pid + "/..", mockidp.CodeNotFound},
		{http.MethodGet, "/" + pid + "/.well-known/jwks.json/.", mockidp.CodeNotFound},
		{http.MethodGet, "/./v2/keys/" + pid, mockidp.CodeNotFound},
		{http.MethodGet, "/v2/../v2/keys/" + pid, mockidp.CodeNotFound},
		{http.MethodPost, "/oauth2/v1/../v1/token", mockidp.CodeNotFound},
		{http.MethodGet, "", mockidp.CodeNotFound},
		{http.MethodGet, "/_mock/../_mock/keys", mockidp.CodeMockNotFound},
		{http.MethodGet, "/_mock/./health", mockidp.CodeMockNotFound},
		{http.MethodDelete, "/_mock/clients/..", mockidp.CodeMockNotFound},
		{http.MethodDelete, "/_mock/clients/.", mockidp.CodeMockNotFound},
	} {
		rec := serve(s, tc.method, tc.path, "")
		if rec.Code != http.StatusNotFound || rec.Header().Get("Location") != "" {
			t.Errorf("%s %q: %d (Location %q) %s, want a JSON 404", tc.method, tc.path, rec.Code, rec.Header().Get("Location"), rec.Body)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %q: Content-Type %q, want application/json", tc.method, tc.path, ct)
		}
		if e := errorBody(t, rec.Code, rec.Body.Bytes()); e.Code != tc.code {
			t.Errorf("%s %q: errorCode %s, want %s", tc.method, tc.path, e.Code, tc.code)
		}
	}
}

// TestIDsThatPathCleaningAltersAreRefused: a client or access key whose ID
// is "." or ".." could be added but never addressed by
// DELETE /_mock/clients/{id}; it is refused when added, naming the field.
func TestIDsThatPathCleaningAltersAreRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, id := range []string{".", ".."} {
		for _, tc := range []struct{ path, body string }{
			{"/_mock/clients", `{"id":"` + id + `","secret":"s"}`},
			{"/_mock/access-keys", `{"id":"` + id + `","secret":"s-` + id + `"}`},
		} {
			rec := serve(s, http.MethodPost, tc.path, tc.body, "Content-Type", "application/json")
			if rec.Code != http.StatusBadRequest {
				t.Errorf("POST %s %s: %d %s, want 400", tc.path, tc.body, rec.Code, rec.Body)
				continue
			}
			if msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message; !strings.Contains(msg, "id") || !strings.Contains(msg, "path") {
				t.Errorf("POST %s %s: message %q does not name id and why", tc.path, tc.body, msg)
			}
		}
	}
	if _, err := mockidp.ParseProject("p.yaml", []byte("clients:\n  - id: ..\n    secret: s\n")); err == nil || !strings.Contains(err.Error(), "clients[0].id") {
		t.Errorf("project file with client id '..': got %v, want an error naming clients[0].id", err)
	}
}
