package auth_test

import (
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// FuzzDiscovery serves any discovery document (any Content-Type; "$BASE" in
// the body becomes the provider's URL) to a fresh Validator and validates a
// token issued by "$BASE". Invariants: no panic; failures are sentinel
// errors; the token is accepted only when the document is JSON served as
// application/json whose issuer is the token's iss.
func FuzzDiscovery(f *testing.F) {
	p := newFuzzProvider(f)
	token := p.validToken(f)
	js := "application/json"
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks"}`))
	f.Add(js+"; charset=utf-8", []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks","token_endpoint":"$BASE/token","scopes_supported":["openid"]}`))
	f.Add(js, []byte(`{"issuer":"$BASE/other","jwks_uri":"$BASE/jwks"}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/missing"}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"https://elsewhere.invalid/jwks"}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"http://10.0.0.1/jwks"}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"file:///etc/passwd"}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/.well-known/openid-configuration"}`))
	f.Add(js, []byte(`{"issuer":"$BASE"}`))
	f.Add(js, []byte(`{"jwks_uri":"$BASE/jwks"}`))
	f.Add(js, []byte(`{"issuer":1,"jwks_uri":["$BASE/jwks"]}`))
	f.Add(js, []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks","issuer":"x"}`))
	f.Add(js, []byte(`[]`))
	f.Add(js, []byte(``))
	f.Add("text/html", []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks"}`))
	f.Add("", []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks"}`))
	f.Add("application/json; charset=\"", []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks"}`))

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		p.setDiscovery(contentType, body)
		v := p.validator(t)
		_, err := v.Validate(t.Context(), token)
		if err != nil {
			checkAuthError(t, err)
			if !errors.Is(err, auth.ErrUnavailable) && !errors.Is(err, auth.ErrInvalidIssuer) && !errors.Is(err, auth.ErrUnknownKey) {
				t.Fatalf("a valid token against discovery %q: got %v, want ErrUnavailable, ErrInvalidIssuer or ErrUnknownKey", body, err)
			}
			return
		}
		// The validator, like mime, reads the media type even when a parameter
		// after it is malformed ("application/json; charset=\""): the type decides.
		if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
			t.Errorf("accepted a discovery document served as %q", contentType)
		}
		var doc struct {
			Issuer string `json:"issuer"`
		}
		served := strings.ReplaceAll(string(body), "$BASE", p.srv.URL)
		if err := json.Unmarshal([]byte(served), &doc); err != nil {
			t.Fatalf("accepted discovery %q, which is not a JSON object: %v", served, err)
		}
		if doc.Issuer != p.issuer() {
			t.Errorf("accepted a token issued by %q under discovery issuer %q", p.issuer(), doc.Issuer)
		}
	})
}
