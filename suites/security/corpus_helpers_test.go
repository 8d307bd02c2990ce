package security_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// Outcomes of the corpus besides a token failure's reason string.
const (
	wantMissingHeader = "<missing Authorization header>"
	wantInvalidHeader = "<invalid Authorization header>"
)

// oneOf accepts either of two reasons, for inputs where a validator may
// reasonably stop at either of two checks (a huge header: unparseable, or a
// kid no key set holds; a crit header: refused structurally, or when go-jose
// verifies; a JWE: its shape, or its alg).
func oneOf(reasons ...string) string { return strings.Join(reasons, "|") }

// attackerKey is an RSA key no key set publishes, generated once per suite run.
var attackerKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// corpus gives each hostile input what it is built from.
type corpus struct {
	env *harness.Env
	// valid is an admin-client token the API accepts.
	valid string
	// kid is the current signing key's ID.
	kid string
	// issuer is the accepted iss.
	issuer string
}

func newCorpus(env *harness.Env) *corpus {
	GinkgoHelper()
	valid := env.Token(harness.AdminClient)
	return &corpus{env: env, valid: valid, kid: harness.Header(valid)["kid"].(string),
		issuer: harness.Payload(valid)["iss"].(string)}
}

// bearer is a request with "Authorization: Bearer <token>".
func bearer(token string) harness.Request { return harness.Request{Token: token} }

// header is a request with the given raw Authorization header values.
func header(values ...string) harness.Request { return harness.Request{Authorization: values} }

// claims is a copy of the valid token's claims with overrides; nil removes a claim.
func (c *corpus) claims(overrides map[string]any) map[string]any {
	m := maps.Clone(harness.Payload(c.valid))
	for k, v := range overrides {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// rs256 is an RS256 header for kid.
func rs256(kid string) map[string]any {
	return map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}
}

// forge joins header and payload (values or pre-encoded strings) with a random signature.
func forge(header, payload any) string {
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	return seg(header) + "." + seg(payload) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// seg encodes a segment; a string is taken as already encoded.
func seg(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return harness.Segment(v)
}

// signed signs header and payload with the mock's current key (in-process only).
func (c *corpus) signed(header, payload any) string {
	GinkgoHelper()
	_, key := c.env.SigningKey()
	return harness.SignRS256(key, seg(header), seg(payload))
}

// mint is a control-plane token.
func (c *corpus) mint(req mockclient.MintRequest) string {
	GinkgoHelper()
	return c.env.MintToken(req)
}

// hs is an HMAC-signed token with secret.
func hs(alg string, header map[string]any, payload any, secret []byte) string {
	header["alg"] = alg
	input := seg(header) + "." + seg(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// segments splits a token into its three segments.
func segments(token string) (string, string, string) {
	GinkgoHelper()
	parts := strings.Split(token, ".")
	Expect(parts).To(HaveLen(3))
	return parts[0], parts[1], parts[2]
}

// nested is depth levels of JSON arrays around 1.
func nested(depth int) string {
	return strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
}

// credentials is every credential req carries (Authorization values without
// their scheme, the query string's values, cookie and X-Access-Token values)
// and the signature segment of each JWT-shaped one: what no log may show.
// Values under 16 characters are left out: a log may contain such a string
// by chance ("garbage", "Bearer").
func credentials(req harness.Request) []string {
	var values []string
	if req.Token != "" {
		values = append(values, req.Token)
	}
	for _, v := range req.Authorization {
		v = strings.TrimSpace(v)
		if _, cred, ok := strings.Cut(v, " "); ok {
			v = strings.TrimSpace(cred)
		}
		values = append(values, v)
	}
	if _, query, ok := strings.Cut(req.Path, "?"); ok {
		for _, pair := range strings.Split(query, "&") {
			_, v, _ := strings.Cut(pair, "=")
			values = append(values, v)
		}
	}
	for _, name := range []string{"Cookie", "X-Access-Token"} {
		for _, v := range req.Header.Values(name) {
			_, cookie, ok := strings.Cut(v, "=")
			if ok && name == "Cookie" {
				v = cookie
			}
			values = append(values, v)
		}
	}
	var out []string
	for _, v := range values {
		out = append(out, v)
		if i := strings.LastIndexByte(v, '.'); i >= 0 {
			out = append(out, v[i+1:])
		}
	}
	return slices.DeleteFunc(out, func(v string) bool { return len(v) < 16 })
}

// expectNoCredentialInLogs asserts that none of secrets appears in the
// in-process servers' logs (external servers' logs are not checked).
func expectNoCredentialInLogs(env *harness.Env, secrets []string) {
	GinkgoHelper()
	logs, ok := env.Logs()
	if !ok {
		GinkgoWriter.Println("external target: the servers' logs are not scanned")
		return
	}
	for _, secret := range secrets {
		Expect(strings.Contains(logs, secret)).To(BeFalse(),
			"a credential of %d bytes (%.12s...) was written to the logs", len(secret), secret)
	}
}
