package mockidp_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Token endpoint", Label("offline", "token"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	const tokenPath = "/oauth2/v1/token"
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}

	Describe("a client-credentials request", func() {
		It("issues a signed token with Descope's claims for HTTP Basic credentials", func() {
			before := m.Now().Unix()
			r := call(m, http.MethodPost, tokenPath, form("grant_type", "client_credentials"), headers(formContentType, basic("admin-client", "admin-secret"))...)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			Expect(r.Header.Get("Cache-Control")).To(Equal("no-store"))
			Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
			body := r.JSON()
			Expect(body).To(HaveKeyWithValue("token_type", "Bearer"))
			Expect(body).To(HaveKeyWithValue("expires_in", 600.0))
			Expect(body).To(HaveKeyWithValue("scope", "openid profile email"))
			Expect(string(r.Body)).To(ContainSubstring(`"expires_in":600,`), "expires_in is whole seconds")

			token := body["access_token"].(string)
			header, _, err := decodeSegments(token)
			Expect(err).NotTo(HaveOccurred())
			Expect(header).To(Equal(map[string]any{"alg": "RS256", "kid": m.Keys().Current().ID, "typ": "JWT"}))

			claims := verifiedClaims(m, token)
			Expect(claims).To(HaveKeyWithValue("iss", m.Issuer()))
			Expect(claims).To(HaveKeyWithValue("aud", []any{pid}))
			Expect(claims).To(HaveKeyWithValue("azp", "admin-client"))
			Expect(claims).To(HaveKeyWithValue("sub", "admin-client"))
			Expect(claims).To(HaveKeyWithValue("token_type", "access_token"))
			Expect(claims).To(HaveKeyWithValue("scope", "openid profile email"))
			Expect(claims).To(HaveKeyWithValue("roles", []any{"admin", "user"}))
			Expect(claims).To(HaveKeyWithValue("permissions", []any{"users.create", "users.delete", "data.read"}))
			Expect(claims).To(HaveKeyWithValue("name", "Admin Client"))
			Expect(claims).To(HaveKeyWithValue("email", "admin@example.com"))
			Expect(claims).NotTo(HaveKey("nbf"))
			Expect(claims).NotTo(HaveKey("dct"))
			Expect(unix(claims, "exp") - unix(claims, "iat")).To(Equal(int64(600)))
			// The mock's clock is real here: iat is a second read while the request was served.
			Expect(unix(claims, "iat")).To(BeNumerically(">=", before))
			Expect(unix(claims, "iat")).To(BeNumerically("<=", m.Now().Unix()))
		})

		It("serialises claims in alphabetical key order", func() {
			tr := requestToken(m, tokenPath, "admin-client", "admin-secret", nil)
			payload := strings.Split(tr.AccessToken, ".")[1]
			raw, err := decodeRaw(payload)
			Expect(err).NotTo(HaveOccurred())
			Expect(raw).To(HavePrefix(`{"aud":`))
			Expect(strings.Index(raw, `"azp"`)).To(BeNumerically("<", strings.Index(raw, `"email"`)))
			Expect(strings.Index(raw, `"sub"`)).To(BeNumerically("<", strings.Index(raw, `"token_type"`)))
		})

		It("accepts credentials in the body", func() {
			r := call(m, http.MethodPost, tokenPath, form("grant_type", "client_credentials", "client_id", "reader-client", "client_secret", "reader-secret"), formContentType...)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			claims := verifiedClaims(m, r.JSON()["access_token"].(string))
			Expect(claims).To(HaveKeyWithValue("sub", "reader-client"))
			Expect(claims).To(HaveKeyWithValue("roles", []any{"viewer"}))
		})

		It("accepts the same credentials in Basic and in the body", func() {
			r := call(m, http.MethodPost, tokenPath, form("grant_type", "client_credentials", "client_id", "reader-client"), headers(formContentType, basic("reader-client", "reader-secret"))...)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		})

		It("accepts a JSON body, with a charset parameter on the content type", func() {
			r := call(m, http.MethodPost, tokenPath, `{"grant_type":"client_credentials","client_id":"admin-client","client_secret":"admin-secret","audience":["api-a","api-b"]}`,
				"Content-Type", "application/json; charset=utf-8")
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			Expect(verifiedClaims(m, r.JSON()["access_token"].(string))).To(HaveKeyWithValue("aud", []any{"api-a", "api-b"}))
		})

		It("grants a requested subset of the allowed scopes, without duplicates", func() {
			tr := requestToken(m, tokenPath, "bare-client", "bare-secret", url.Values{"scope": {"openid descope.claims openid"}})
			Expect(tr.Scope).To(Equal("openid descope.claims"))
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("scope", "openid descope.claims"))
		})

		It("grants no scope to a client without default scopes that asks for none", func() {
			tr := requestToken(m, tokenPath, "bare-client", "bare-secret", nil)
			Expect(tr.Scope).To(BeEmpty())
			claims := verifiedClaims(m, tr.AccessToken)
			Expect(claims).NotTo(HaveKey("scope"))
			Expect(claims).NotTo(HaveKey("roles"))
			Expect(claims).NotTo(HaveKey("permissions"))
		})

		It("uses the requested audience", func() {
			tr := requestToken(m, tokenPath, "admin-client", "admin-secret", url.Values{"audience": {"my-api"}})
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("aud", []any{"my-api"}))
		})

		It("carries tenants and the current tenant as dct", func() {
			claims := verifiedClaims(m, requestToken(m, tokenPath, "tenant-client", "tenant-secret", nil).AccessToken)
			Expect(claims).To(HaveKeyWithValue("dct", "T2MockTenantAcme000000000001"))
			tenants, ok := claims["tenants"].(map[string]any)
			Expect(ok).To(BeTrue())
			Expect(tenants).To(HaveLen(2))
			Expect(tenants["T2MockTenantAcme000000000001"]).To(HaveKeyWithValue("roles", []any{"admin", "tenant-admin"}))
			Expect(tenants["T2MockTenantGlobex0000000002"]).To(HaveKeyWithValue("permissions", []any{"data.read"}))
			Expect(claims).NotTo(HaveKey("roles"))
		})

		It("uses a client's own TTL and audience", func() {
			Expect(m.AddClient(mockidp.Client{ID: "short", Secret: "s", TTL: mockidp.Duration(60e9), Audience: []string{"svc"}})).To(Succeed())
			tr := requestToken(m, tokenPath, "short", "s", nil)
			Expect(tr.ExpiresIn).To(Equal(int64(60)))
			claims := verifiedClaims(m, tr.AccessToken)
			Expect(claims).To(HaveKeyWithValue("aud", []any{"svc"}))
			Expect(unix(claims, "exp") - unix(claims, "iat")).To(Equal(int64(60)))
		})
	})

	Describe("the three token paths and the three issuer forms", func() {
		It("gives {base}/{pid} on /oauth2/v1/token with the default url form", func() {
			tr := requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", m.URL+"/"+pid))
		})

		It("gives {base}/v1/apps/{pid} on /oauth2/v1/apps/token", func() {
			tr := requestToken(m, "/oauth2/v1/apps/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", m.URL+"/v1/apps/"+pid))
		})

		It("gives {base}/v1/apps/{pid} on /oauth2/v1/apps/{pid}/token", func() {
			tr := requestToken(m, "/oauth2/v1/apps/"+pid+"/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", m.URL+"/v1/apps/"+pid))
		})

		It("answers 404 on /oauth2/v1/apps/{pid}/token for another project", func() {
			r := call(m, http.MethodPost, "/oauth2/v1/apps/P2Other/token", form("grant_type", "client_credentials"), headers(formContentType, basic("admin-client", "admin-secret"))...)
			expectDescopeError(r, http.StatusNotFound, mockidp.CodeNotFound)
		})

		It("gives the bare project ID with the project form", func() {
			p := mockidp.DefaultProject()
			p.IssuerForm = mockidp.IssuerProject
			m := startMock(mockidp.Config{Project: p})
			tr := requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", pid))
		})

		It("gives {base}/v1/apps/{pid} on /oauth2/v1/token with the apps form", func() {
			p := mockidp.DefaultProject()
			p.IssuerForm = mockidp.IssuerApps
			m := startMock(mockidp.Config{Project: p})
			tr := requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", m.URL+"/v1/apps/"+pid))
		})

		It("takes the issuer base from the public URL", func() {
			m := startMock(mockidp.Config{PublicURL: "http://mockidp:8080"})
			tr := requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("iss", "http://mockidp:8080/"+pid))
		})

		It("tolerates a doubled slash", func() {
			tr := requestToken(m, "//oauth2/v1/token", "admin-client", "admin-secret", nil)
			Expect(tr.AccessToken).NotTo(BeEmpty())
		})
	})

	Describe("bad requests", func() {
		DescribeTable("answer with the status and Descope error code the spec names",
			func(body string, hdrs []string, status int, code string) {
				expectDescopeError(call(m, http.MethodPost, tokenPath, body, hdrs...), status, code)
			},
			Entry("wrong secret (Basic)", form("grant_type", "client_credentials"), headers(formContentType, basic("admin-client", "nope")), 401, mockidp.CodeBadClient),
			Entry("wrong secret (body)", form("grant_type", "client_credentials", "client_id", "admin-client", "client_secret", "nope"), formContentType, 401, mockidp.CodeBadClient),
			Entry("unknown client", form("grant_type", "client_credentials"), headers(formContentType, basic("ghost", "admin-secret")), 401, mockidp.CodeBadClient),
			Entry("no credentials", form("grant_type", "client_credentials"), formContentType, 401, mockidp.CodeBadClient),
			Entry("client ID without secret", form("grant_type", "client_credentials", "client_id", "admin-client"), formContentType, 401, mockidp.CodeBadClient),
			Entry("a Bearer Authorization header", form("grant_type", "client_credentials"), headers(formContentType, []string{"Authorization", "Bearer abc"}), 401, mockidp.CodeBadClient),
			Entry("Basic and body client IDs disagree", form("grant_type", "client_credentials", "client_id", "reader-client"), headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("Basic and body secrets disagree", form("grant_type", "client_credentials", "client_secret", "other"), headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("missing grant_type", "", headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("unsupported grant_type", form("grant_type", "password"), headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("scope the client may not have", form("grant_type", "client_credentials", "scope", "openid admin"), headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeInvalidArgument),
			Entry("malformed form body", "grant_type=%zz", headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("repeated parameter", "grant_type=client_credentials&grant_type=client_credentials", headers(formContentType, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("malformed JSON body", `{"grant_type":`, headers([]string{"Content-Type", "application/json"}, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("JSON array body", `["client_credentials"]`, headers([]string{"Content-Type", "application/json"}, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("JSON non-string parameter", `{"grant_type":1}`, headers([]string{"Content-Type", "application/json"}, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("JSON audience of the wrong type", `{"grant_type":"client_credentials","audience":{"a":1}}`, headers([]string{"Content-Type", "application/json"}, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("wrong content type", form("grant_type", "client_credentials"), headers([]string{"Content-Type", "text/plain"}, basic("admin-client", "admin-secret")), 400, mockidp.CodeBadRequest),
			Entry("no content type", form("grant_type", "client_credentials"), basic("admin-client", "admin-secret"), 400, mockidp.CodeBadRequest),
		)

		It("answers 413 to an oversized body", func() {
			body := "grant_type=client_credentials&pad=" + strings.Repeat("a", 70<<10)
			expectDescopeError(call(m, http.MethodPost, tokenPath, body, headers(formContentType, basic("admin-client", "admin-secret"))...),
				http.StatusRequestEntityTooLarge, mockidp.CodeTooLarge)
		})

		It("answers 405 with an Allow header to GET", func() {
			r := call(m, http.MethodGet, tokenPath, "")
			expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
			Expect(r.Header.Get("Allow")).To(Equal("POST"))
		})

		It("never answers an error without no-store", func() {
			r := call(m, http.MethodPost, tokenPath, form("grant_type", "client_credentials"), headers(formContentType, basic("admin-client", "nope"))...)
			Expect(r.Header.Get("Cache-Control")).To(Equal("no-store"))
		})
	})
})

// decodeRaw decodes one base64url segment to text.
func decodeRaw(seg string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	return string(b), err
}
