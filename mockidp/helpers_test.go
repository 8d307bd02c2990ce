package mockidp_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// pid is the default project's ID.
const pid = mockidp.DefaultProjectID

// reply is a response read in full.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r reply) JSON() map[string]any {
	GinkgoHelper()
	var v map[string]any
	Expect(json.Unmarshal(r.Body, &v)).To(Succeed(), "body %s", r.Body)
	return v
}

// send performs one request; headers come as name, value pairs.
func send(c *http.Client, method, rawURL, body string, headers ...string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		return reply{}, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// call sends a request to the mock at path (a path, not a URL).
// A control-plane body is sent as application/json unless headers name
// another Content-Type.
func call(m *mockidptest.Mock, method, path, body string, headers ...string) reply {
	GinkgoHelper()
	if strings.HasPrefix(path, "/_mock") && body != "" && !slices.ContainsFunc(headers, func(h string) bool { return strings.EqualFold(h, "Content-Type") }) {
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	r, err := send(m.Client(), method, m.URL+path, body, headers...)
	Expect(err).NotTo(HaveOccurred())
	return r
}

// formHeaders are the headers of a form-encoded token request.
var formContentType = []string{"Content-Type", "application/x-www-form-urlencoded"}

// basic returns the Authorization header of HTTP Basic client credentials.
func basic(id, secret string) []string {
	return []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))}
}

// headers joins header pairs.
func headers(pairs ...[]string) []string {
	var out []string
	for _, p := range pairs {
		out = append(out, p...)
	}
	return out
}

// requestToken posts a client-credentials request with Basic credentials
// and returns the token response, failing the spec on anything but 200.
func requestToken(m *mockidptest.Mock, path, clientID, secret string, form url.Values) mockidp.TokenResponse {
	GinkgoHelper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("grant_type", "client_credentials")
	r := call(m, http.MethodPost, path, form.Encode(), headers(formContentType, basic(clientID, secret))...)
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
	var tr mockidp.TokenResponse
	Expect(json.Unmarshal(r.Body, &tr)).To(Succeed())
	return tr
}

// expectDescopeError checks a failure's status and its Descope error body.
func expectDescopeError(r reply, status int, code string) mockidp.Error {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body %s", r.Body)
	Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
	var e mockidp.Error
	Expect(json.Unmarshal(r.Body, &e)).To(Succeed(), "body %s", r.Body)
	Expect(e.Code).To(Equal(code), "body %s", r.Body)
	Expect(e.Message).NotTo(BeEmpty())
	Expect(e.Description).NotTo(BeEmpty())
	return e
}

// decodeSegments splits a compact JWT into its decoded header and claims
// without verifying anything.
func decodeSegments(token string) (header, claims map[string]any, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("token has %d segments, want 3", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("segment %d: %w", i, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return nil, nil, fmt.Errorf("segment %d: %w", i, err)
		}
	}
	return header, claims, nil
}

// fetchKeySet reads the published keys over HTTP, as a validator would.
func fetchKeySet(c *http.Client, base string) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	r, err := send(c, http.MethodGet, base+"/v2/keys/"+pid, "")
	if err != nil {
		return set, err
	}
	if r.Status != http.StatusOK {
		return set, fmt.Errorf("key set: status %d", r.Status)
	}
	return set, json.Unmarshal(r.Body, &set)
}

// verifyWithKeySet checks an RS256 token against a key set and returns its
// claims (numbers as json.Number).
func verifyWithKeySet(token string, set jose.JSONWebKeySet) (map[string]any, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	kid := jws.Signatures[0].Header.KeyID
	found := set.Key(kid)
	if len(found) == 0 {
		return nil, fmt.Errorf("kid %q is not in the key set", kid)
	}
	payload, err := jws.Verify(found[0])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	return claims, dec.Decode(&claims)
}

// verifiedClaims fetches the mock's key set and verifies token against it.
func verifiedClaims(m *mockidptest.Mock, token string) map[string]any {
	GinkgoHelper()
	set, err := fetchKeySet(m.Client(), m.URL)
	Expect(err).NotTo(HaveOccurred())
	claims, err := verifyWithKeySet(token, set)
	Expect(err).NotTo(HaveOccurred())
	return claims
}

// unix reads a NumericDate claim.
func unix(claims map[string]any, name string) int64 {
	GinkgoHelper()
	n, ok := claims[name].(json.Number)
	Expect(ok).To(BeTrue(), "claim %s is %T, want a number", name, claims[name])
	v, err := n.Int64()
	Expect(err).NotTo(HaveOccurred())
	return v
}

// startMock starts a mock with fixture keys for one spec.
func startMock(cfg mockidp.Config) *mockidptest.Mock {
	GinkgoHelper()
	return mockidptest.Start(GinkgoT(), cfg)
}

// errorBody decodes a Descope-shaped error body, failing on anything else.
func errorBody(t *testing.T, status int, body []byte) mockidp.Error {
	t.Helper()
	var e mockidp.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
		t.Fatalf("status %d body %s: not a Descope error body (%v)", status, body, err)
	}
	return e
}
