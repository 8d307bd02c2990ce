package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// authBodies are the only 401 descriptions the default renderer may send.
var authBodies = map[string]bool{
	"missing authorization header":        true,
	"invalid authorization header format": true,
	"invalid or unauthorized token":       true,
}

// FuzzMiddlewareAuthorization sends any Authorization header values (none,
// one or two) through Validator.Middleware with a real RS256 key set loaded.
// Invariants: no panic; the handler runs only for the one validly signed
// token the fuzzer was given (its signed part unchanged), and then answers
// 200; every other request is a 401 with a default body, a Bearer
// challenge and no-store; never a 5xx.
func FuzzMiddlewareAuthorization(f *testing.F) {
	p := newFuzzProvider(f)
	v := p.validator(f)
	good := p.validToken(f)
	if _, err := v.Validate(f.Context(), good); err != nil {
		f.Fatalf("loading keys with a valid token: %v", err)
	}
	signedPart := good[:strings.LastIndexByte(good, '.')]

	f.Add("Bearer "+good, "", uint8(1))
	f.Add("bearer \t "+good+"  ", "", uint8(1))
	f.Add("BEARER\t"+good, "", uint8(1))
	f.Add("Bearer "+good, "Bearer "+good, uint8(2))
	f.Add("Bearer "+good+" extra", "", uint8(1))
	f.Add("Bearer "+good+"x", "", uint8(1))
	f.Add("Bearer "+signedPart+".", "", uint8(1))
	f.Add("Bearer "+signedPart, "", uint8(1))
	f.Add("Basic dXNlcjpwYXNz", "", uint8(1))
	f.Add("Bearer", "", uint8(1))
	f.Add("Bearer ", "", uint8(1))
	f.Add("   ", "", uint8(1))
	f.Add("", "", uint8(0))
	f.Add("Bearer eyJhbGciOiJub25lIn0.e30.", "", uint8(1))
	f.Add("Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6IngifQ.e30.c2ln", "", uint8(1))
	f.Add("Bearer a.b.c.d.e", "", uint8(1))
	f.Add("Bearer ....", "", uint8(1))
	f.Add("Bearer \x00\xff", "", uint8(1))

	var handled bool
	var gotToken string
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled = true
		c, ok := auth.FromContext(r.Context())
		if !ok || c == nil {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		gotToken = c.Token
		w.WriteHeader(http.StatusOK)
	}))

	f.Fuzz(func(t *testing.T, first, second string, headers uint8) {
		handled, gotToken = false, ""
		r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		switch headers % 3 {
		case 1:
			r.Header["Authorization"] = []string{first}
		case 2:
			r.Header["Authorization"] = []string{first, second}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		if handled {
			if rec.Code != http.StatusOK {
				t.Fatalf("handler ran without claims in the context: got status %d", rec.Code)
			}
			i := strings.LastIndexByte(gotToken, '.')
			if i < 0 || gotToken[:i] != signedPart {
				t.Fatalf("accepted token %q, whose signed part differs from the only valid token's", gotToken)
			}
			return
		}
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("got status %d (body %q), want 401", rec.Code, rec.Body.Bytes())
		}
		var body struct {
			Detail string `json:"error_description"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !authBodies[body.Detail] {
			t.Errorf("got body %q, want one of the default 401 bodies", rec.Body.Bytes())
		}
		if ch := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="api"`) {
			t.Errorf("got WWW-Authenticate %q, want a Bearer challenge", ch)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("got Cache-Control %q, want no-store", cc)
		}
		// No header, or only whitespace, is "missing"; anything else is not.
		missing := headers%3 == 0 || (headers%3 == 1 && strings.TrimSpace(first) == "")
		if missing != (body.Detail == "missing authorization header") {
			t.Errorf("headers %q: got detail %q, want missing=%v", r.Header["Authorization"], body.Detail, missing)
		}
	})
}
