package harness

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
)

// The fixture clients of the default project (fixtures/project.yaml).
const (
	AdminClient  = "admin-client"
	ReaderClient = "reader-client"
	TenantClient = "tenant-client"
	BareClient   = "bare-client"
)

// Fixture tenants of tenant-client.
const (
	TenantAcme   = "T2MockTenantAcme000000000001"
	TenantGlobex = "T2MockTenantGlobex0000000002"
)

// FixtureClients lists the fixture clients.
var FixtureClients = []string{AdminClient, ReaderClient, TenantClient, BareClient}

// ProjectID is the default project's ID.
var ProjectID = mockidp.DefaultProject().ID

func ctx10s() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// Token gets a client-credentials token for a fixture client from the mock's
// token endpoint, with the client's default scopes.
func (e *Env) Token(clientID string) string {
	GinkgoHelper()
	return e.TokenWithScope(clientID, "")
}

// TokenWithScope is Token with explicit scopes (space-separated).
func (e *Env) TokenWithScope(clientID, scope string) string {
	GinkgoHelper()
	secret := ""
	for _, c := range mockidp.DefaultProject().Clients {
		if c.ID == clientID {
			secret = c.Secret
		}
	}
	Expect(secret).NotTo(BeEmpty(), "%q is not a fixture client", clientID)
	ctx, cancel := ctx10s()
	defer cancel()
	tr, err := e.Mock.ClientCredentials(ctx, clientID, secret, scope)
	expectOK(err, "client-credentials token for "+clientID)
	return tr.AccessToken
}

// Mint mints any token over the control plane.
func (e *Env) Mint(req mockclient.MintRequest) mockclient.MintResponse {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	resp, err := e.Mock.Mint(ctx, req)
	expectOK(err, "minting a token")
	return resp
}

// MintToken is Mint's token.
func (e *Env) MintToken(req mockclient.MintRequest) string {
	GinkgoHelper()
	return e.Mint(req).Token
}

// Keys is the mock's key state.
func (e *Env) Keys() mockclient.KeysState {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	st, err := e.Mock.Keys(ctx)
	expectOK(err, "reading the mock's keys")
	return st
}

// Rotate rotates the mock's signing key n times and returns the new state.
func (e *Env) Rotate(n int) mockclient.KeysState {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	st, err := e.Mock.Rotate(ctx, n)
	expectOK(err, "rotating keys")
	GinkgoWriter.Printf("rotated %d time(s): current %s, %d published\n", n, st.Current, len(st.Published))
	return st
}

// Revoke removes a key from the mock's key set at once.
func (e *Env) Revoke(kid string) mockclient.KeysState {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	st, err := e.Mock.Revoke(ctx, kid)
	expectOK(err, "revoking "+kid)
	GinkgoWriter.Printf("revoked %s: current %s\n", kid, st.Current)
	return st
}

// InjectFault adds a fault to the mock and removes every fault when the spec ends.
func (e *Env) InjectFault(f mockclient.Fault) {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	expectOK(e.Mock.InjectFault(ctx, f), "injecting a fault")
	GinkgoWriter.Printf("fault injected: %+v\n", f)
	DeferCleanup(func(ctx SpecContext) { _ = e.Mock.ClearFaults(ctx, "") })
}

// ClearFaults removes every fault.
func (e *Env) ClearFaults() {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	expectOK(e.Mock.ClearFaults(ctx, ""), "clearing faults")
}

// RequestCount is how many requests a mock endpoint (discovery, jwks, ...) received.
func (e *Env) RequestCount(endpoint string) int {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	n, err := e.Mock.RequestCount(ctx, endpoint)
	expectOK(err, "reading request counters")
	return n
}

// ClearRequests zeroes the mock's request counters.
func (e *Env) ClearRequests() {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	expectOK(e.Mock.ClearRequests(ctx), "clearing request counters")
}

// SigningKey is the mock's current private key, to craft tokens the mock
// cannot mint (in-process only).
func (e *Env) SigningKey() (kid string, key *rsa.PrivateKey) {
	GinkgoHelper()
	e.RequireInProcess("signs with the mock's private key: runs in-process only")
	k := e.InProcess.Keys().Current()
	return k.ID, k.Private
}

// Segment is the base64url (unpadded) encoding of v's JSON, or of v itself
// when it is a string or []byte.
func Segment(v any) string {
	switch v := v.(type) {
	case string:
		return base64.RawURLEncoding.EncodeToString([]byte(v))
	case []byte:
		return base64.RawURLEncoding.EncodeToString(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("harness: segment: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignRS256 signs header.payload (already encoded segments) with key.
func SignRS256(key *rsa.PrivateKey, header, payload string) string {
	input := header + "." + payload
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("harness: signing: " + err.Error())
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Payload decodes a JWT's payload without verifying it, failing the spec if it is not a JSON object.
func Payload(token string) map[string]any {
	GinkgoHelper()
	parts := strings.Split(token, ".")
	Expect(parts).To(HaveLen(3), "a compact JWS has three segments")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	Expect(err).NotTo(HaveOccurred(), "payload segment")
	var claims map[string]any
	Expect(json.Unmarshal(raw, &claims)).To(Succeed(), "payload JSON")
	return claims
}

// Header decodes a JWT's header without verifying it.
func Header(token string) map[string]any {
	GinkgoHelper()
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	Expect(err).NotTo(HaveOccurred(), "header segment")
	var h map[string]any
	Expect(json.Unmarshal(raw, &h)).To(Succeed(), "header JSON")
	return h
}

// UnknownKidToken is a well-formed RS256 token whose kid no key set holds
// (a fresh random one each call) and whose signature is random bytes.
func UnknownKidToken(issuer string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	header := Segment(map[string]any{"alg": "RS256", "kid": "SKflood" + base64.RawURLEncoding.EncodeToString(b[:]), "typ": "JWT"})
	payload := Segment(map[string]any{"iss": issuer, "aud": []string{ProjectID}, "sub": "attacker",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	return header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
}
