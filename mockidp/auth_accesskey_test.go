package mockidp_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

const (
	accessKeyID     = "K2MockAccessKey0000000000001"
	accessKeySecret = "mock-access-key-secret"
	exchangePath    = "/v1/auth/accesskey/exchange"
	acmeTenant      = "T2MockTenantAcme000000000001"
)

var _ = Describe("Access-key exchange", Label("offline", "exchange"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	bearer := func(v string) []string { return []string{"Authorization", "Bearer " + v} }

	It("exchanges an access key for a session JWT with the key's grants", func() {
		r := call(m, http.MethodPost, exchangePath, "{}", bearer(pid+":"+accessKeySecret)...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		Expect(r.Header.Get("Cache-Control")).To(Equal("no-store"))
		body := r.JSON()
		Expect(body).To(HaveKeyWithValue("keyId", accessKeyID))
		claims := verifiedClaims(m, body["sessionJwt"].(string))
		Expect(claims).To(HaveKeyWithValue("drn", "DS"))
		Expect(claims).To(HaveKeyWithValue("sub", accessKeyID))
		Expect(claims).To(HaveKeyWithValue("iss", m.URL+"/v1/apps/"+pid))
		Expect(claims).To(HaveKeyWithValue("aud", []any{pid}))
		Expect(claims).To(HaveKeyWithValue("roles", []any{"service"}))
		Expect(claims).To(HaveKeyWithValue("permissions", []any{"data.read"}))
		Expect(claims).To(HaveKey("tenants"))
		Expect(claims).NotTo(HaveKey("dct"))
		Expect(body["expiration"]).To(BeNumerically("==", unix(claims, "exp")))
		Expect(unix(claims, "exp") - unix(claims, "iat")).To(Equal(int64(600)))
	})

	It("accepts an empty body and ignores a management key part", func() {
		r := call(m, http.MethodPost, exchangePath, "", bearer(pid+":"+accessKeySecret+":management-key")...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
	})

	It("adds custom claims but never lets them override reserved ones, and sets the selected tenant", func() {
		r := call(m, http.MethodPost, exchangePath,
			`{"loginOptions":{"customClaims":{"team":"blue","sub":"attacker","roles":["root"]},"selectedTenant":"`+acmeTenant+`"}}`,
			bearer(pid+":"+accessKeySecret)...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		claims := verifiedClaims(m, r.JSON()["sessionJwt"].(string))
		Expect(claims).To(HaveKeyWithValue("team", "blue"))
		Expect(claims).To(HaveKeyWithValue("sub", accessKeyID))
		Expect(claims).To(HaveKeyWithValue("roles", []any{"service"}))
		Expect(claims).To(HaveKeyWithValue("dct", acmeTenant))
	})

	It("signs with the mock's clock", func() {
		at := m.Now().Add(time.Hour).Truncate(time.Second)
		m.Clock().Set(at, true)
		r := call(m, http.MethodPost, exchangePath, "{}", bearer(pid+":"+accessKeySecret)...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		claims := verifiedClaims(m, r.JSON()["sessionJwt"].(string))
		Expect(unix(claims, "iat")).To(Equal(at.Unix()))
	})

	DescribeTable("refuses bad requests with a Descope error body",
		func(body string, hdrs []string, status int, code string) {
			expectDescopeError(call(m, http.MethodPost, exchangePath, body, hdrs...), status, code)
		},
		Entry("wrong access key", "{}", []string{"Authorization", "Bearer " + pid + ":wrong"}, 401, mockidp.CodeBadClient),
		Entry("wrong project", "{}", []string{"Authorization", "Bearer P2Other:" + accessKeySecret}, 401, mockidp.CodeBadClient),
		Entry("no Authorization", "{}", nil, 401, mockidp.CodeBadClient),
		Entry("Basic scheme", "{}", []string{"Authorization", "Basic " + accessKeySecret}, 401, mockidp.CodeBadClient),
		Entry("no key part", "{}", []string{"Authorization", "Bearer " + pid}, 401, mockidp.CodeBadClient),
		Entry("empty key part", "{}", []string{"Authorization", "Bearer " + pid + ":"}, 401, mockidp.CodeBadClient),
		Entry("too many parts", "{}", []string{"Authorization", "Bearer " + pid + ":a:b:c"}, 401, mockidp.CodeBadClient),
		Entry("malformed JSON", `{"loginOptions":`, []string{"Authorization", "Bearer " + pid + ":" + accessKeySecret}, 400, mockidp.CodeBadRequest),
		Entry("tenant not the key's", `{"loginOptions":{"selectedTenant":"T2Nope"}}`, []string{"Authorization", "Bearer " + pid + ":" + accessKeySecret}, 400, mockidp.CodeBadRequest),
	)

	It("answers 413 to an oversized body", func() {
		big := `{"loginOptions":{"customClaims":{"x":"` + repeat("a", 70<<10) + `"}}}`
		expectDescopeError(call(m, http.MethodPost, exchangePath, big, bearer(pid+":"+accessKeySecret)...), http.StatusRequestEntityTooLarge, mockidp.CodeTooLarge)
	})

	It("answers 405 with an Allow header to GET", func() {
		r := call(m, http.MethodGet, exchangePath, "")
		expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
		Expect(r.Header.Get("Allow")).To(Equal("POST"))
	})
})

var _ = Describe("Userinfo", Label("offline", "userinfo"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	const path = "/oauth2/v1/userinfo"

	It("returns a valid token's claims as flat JSON on GET and POST", func() {
		token := m.Token("reader-client")
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := call(m, method, path, "", "Authorization", "Bearer "+token)
			Expect(r.Status).To(Equal(http.StatusOK), "%s: body %s", method, r.Body)
			Expect(r.Header.Get("Cache-Control")).To(Equal("no-store"))
			body := r.JSON()
			Expect(body).To(HaveKeyWithValue("sub", "reader-client"))
			Expect(body).To(HaveKeyWithValue("roles", []any{"viewer"}))
		}
	})

	// Issue 16, defect 8: an access-key session token is a Descope session
	// JWT (drn DS), not an OAuth access token (OIDC Core §5.3).
	It("refuses an access-key session token", func() {
		r := call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":"+accessKeySecret)
		token := r.JSON()["sessionJwt"].(string)
		expectDescopeError(call(m, http.MethodGet, path, "", "Authorization", "Bearer "+token), http.StatusUnauthorized, mockidp.CodeBadClient)
	})

	DescribeTable("refuses an invalid token with 401, a Descope body and no WWW-Authenticate",
		func(authorization func(m *mockidptest.Mock) string) {
			r := call(m, http.MethodGet, path, "", "Authorization", authorization(m))
			expectDescopeError(r, http.StatusUnauthorized, mockidp.CodeBadClient)
			Expect(r.Header.Values("WWW-Authenticate")).To(BeEmpty())
		},
		Entry("no token", func(*mockidptest.Mock) string { return "" }),
		Entry("Basic scheme", func(m *mockidptest.Mock) string { return "Basic " + m.Token("admin-client") }),
		Entry("garbage", func(*mockidptest.Mock) string { return "Bearer not.a.jwt" }),
		Entry("expired", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetExpired})
		}),
		Entry("not yet valid", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetNotYetValid})
		}),
		Entry("bad signature", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetBadSignature})
		}),
		Entry("unknown kid", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetUnknownKid})
		}),
		Entry("alg none", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetAlgNone})
		}),
		Entry("HS256 keyed with the public key", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetHS256PublicKey})
		}),
		Entry("missing exp", func(m *mockidptest.Mock) string {
			return "Bearer " + m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetMissingExp})
		}),
		Entry("signed by a revoked key", func(m *mockidptest.Mock) string {
			token := m.Token("admin-client")
			Expect(m.RevokeKey(m.Keys().Current().ID)).To(Succeed())
			return "Bearer " + token
		}),
	)

	It("refuses a token once the mock's clock passes its exp", func() {
		m.Clock().Set(m.Now(), true)
		token := m.Token("admin-client")
		Expect(call(m, http.MethodGet, path, "", "Authorization", "Bearer "+token).Status).To(Equal(http.StatusOK))
		m.Advance(599 * time.Second)
		Expect(call(m, http.MethodGet, path, "", "Authorization", "Bearer "+token).Status).To(Equal(http.StatusOK))
		m.Advance(time.Second)
		expectDescopeError(call(m, http.MethodGet, path, "", "Authorization", "Bearer "+token), http.StatusUnauthorized, mockidp.CodeBadClient)
	})

	It("answers 405 with an Allow header to DELETE", func() {
		r := call(m, http.MethodDelete, path, "")
		expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
		Expect(r.Header.Get("Allow")).To(Equal("GET, POST"))
	})
})

var _ = Describe("License", Label("offline", "license"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	It("answers the rate-limit tier", func() {
		r := call(m, http.MethodGet, "/v1/mgmt/license", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON()).To(Equal(map[string]any{"rateLimitTier": "tier1"}))
	})

	It("answers 405 with an Allow header to POST", func() {
		r := call(m, http.MethodPost, "/v1/mgmt/license", "{}")
		expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
		Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
	})
})

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}
