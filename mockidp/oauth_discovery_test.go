package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Discovery documents", Label("offline", "discovery"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	decode := func(r reply) mockidp.Discovery {
		GinkgoHelper()
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
		var d mockidp.Discovery
		Expect(json.Unmarshal(r.Body, &d)).To(Succeed())
		return d
	}

	DescribeTable("serves each document with its issuer and endpoints",
		func(path, issuerSuffix, oauthPrefix string) {
			d := decode(call(m, http.MethodGet, path, ""))
			Expect(d.Issuer).To(Equal(m.URL + issuerSuffix))
			Expect(d.TokenEndpoint).To(Equal(m.URL + oauthPrefix + "/token"))
			Expect(d.AuthorizationEndpoint).To(Equal(m.URL + oauthPrefix + "/authorize"))
			Expect(d.UserinfoEndpoint).To(Equal(m.URL + oauthPrefix + "/userinfo"))
			Expect(d.EndSessionEndpoint).To(Equal(m.URL + oauthPrefix + "/logout"))
			Expect(d.RevocationEndpoint).To(Equal(m.URL + oauthPrefix + "/revoke"))
			Expect(d.JWKSURI).To(Equal(m.URL + "/" + pid + "/.well-known/jwks.json"))
			Expect(d.ResponseTypesSupported).To(Equal([]string{"code"}))
			Expect(d.SubjectTypesSupported).To(Equal([]string{"public"}))
			Expect(d.IDTokenSigningAlgValuesSupported).To(Equal([]string{"RS256"}))
			Expect(d.CodeChallengeMethodsSupported).To(Equal([]string{"S256"}))
			Expect(d.GrantTypesSupported).To(Equal([]string{"authorization_code", "refresh_token", "client_credentials"}))
			Expect(d.TokenEndpointAuthMethodsSupported).To(ConsistOf("client_secret_basic", "client_secret_post", "none"))
			Expect(d.ScopesSupported).To(ContainElements("openid", "profile", "email", "phone", "offline_access", "descope.claims", "descope.custom_claims"))
			Expect(d.ClaimsSupported).To(ContainElements("iss", "aud", "iat", "exp", "sub", "name", "email"))
		},
		Entry("project OpenID configuration", "/"+pid+"/.well-known/openid-configuration", "/"+pid, "/oauth2/v1"),
		Entry("project OAuth metadata", "/"+pid+"/.well-known/oauth-authorization-server", "/"+pid, "/oauth2/v1"),
		Entry("apps OpenID configuration", "/v1/apps/"+pid+"/.well-known/openid-configuration", "/v1/apps/"+pid, "/oauth2/v1/apps"),
		Entry("apps OAuth metadata", "/v1/apps/"+pid+"/.well-known/oauth-authorization-server", "/v1/apps/"+pid, "/oauth2/v1/apps"),
	)

	It("answers HEAD like GET without a body", func() {
		r := call(m, http.MethodHead, "/"+pid+"/.well-known/openid-configuration", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Body).To(BeEmpty())
	})

	It("tolerates doubled slashes", func() {
		d := decode(call(m, http.MethodGet, "//"+pid+"//.well-known/openid-configuration", ""))
		Expect(d.Issuer).To(Equal(m.Issuer()))
	})

	It("lists a scope a run-time client may request", func() {
		Expect(m.AddClient(mockidp.Client{ID: "scoped", Secret: "s", Scopes: []string{"reports.read"}})).To(Succeed())
		d := decode(call(m, http.MethodGet, "/"+pid+"/.well-known/openid-configuration", ""))
		Expect(d.ScopesSupported).To(ContainElement("reports.read"))
	})

	When("the project ID is unknown", func() {
		It("answers 404 with a Descope error body", func() {
			for _, path := range []string{
				"/P2Unknown/.well-known/openid-configuration",
				"/P2Unknown/.well-known/oauth-authorization-server",
				"/v1/apps/P2Unknown/.well-known/openid-configuration",
			} {
				expectDescopeError(call(m, http.MethodGet, path, ""), http.StatusNotFound, mockidp.CodeNotFound)
			}
		})
	})

	When("the path is not part of the surface", func() {
		It("answers 404 with a Descope error body", func() {
			expectDescopeError(call(m, http.MethodGet, "/no/such/path", ""), http.StatusNotFound, mockidp.CodeNotFound)
		})
	})

	When("the method is wrong", func() {
		It("answers 405 with an Allow header", func() {
			r := call(m, http.MethodPost, "/"+pid+"/.well-known/openid-configuration", "{}")
			expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
		})
	})

	When("a public URL is configured", func() {
		It("builds the issuer and endpoints from it, ignoring forwarded headers", func() {
			m := startMock(mockidp.Config{PublicURL: "http://mockidp:8080/"})
			d := decode(call(m, http.MethodGet, "/"+pid+"/.well-known/openid-configuration", "",
				"X-Forwarded-Proto", "https", "X-Forwarded-Host", "elsewhere.example.com"))
			Expect(d.Issuer).To(Equal("http://mockidp:8080/" + pid))
			Expect(d.TokenEndpoint).To(Equal("http://mockidp:8080/oauth2/v1/token"))
			Expect(d.JWKSURI).To(Equal("http://mockidp:8080/" + pid + "/.well-known/jwks.json"))
		})

		It("refuses a public URL with a path or without a scheme", func() {
			for _, u := range []string{"http://mockidp:8080/base", "mockidp:8080", "ftp://mockidp"} {
				_, err := mockidp.New(mockidp.Config{PublicURL: u, KeyPEM: fixtures.KeyPEMs()[:1]})
				Expect(err).To(HaveOccurred(), "public URL %q", u)
			}
		})
	})

	When("no public URL is configured", func() {
		var s *mockidp.Server

		BeforeEach(func() {
			var err error
			s, err = mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs()[:1]})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(s.Close)
		})

		get := func(headers ...string) mockidp.Discovery {
			GinkgoHelper()
			req := httptest.NewRequest(http.MethodGet, "http://idp.internal:9000/"+pid+"/.well-known/openid-configuration", nil)
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			return decode(reply{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()})
		}

		It("uses the request's host", func() {
			Expect(get().Issuer).To(Equal("http://idp.internal:9000/" + pid))
		})

		It("honours X-Forwarded-Proto and X-Forwarded-Host (first value)", func() {
			d := get("X-Forwarded-Proto", "https", "X-Forwarded-Host", "idp.example.com, proxy.local")
			Expect(d.Issuer).To(Equal("https://idp.example.com/" + pid))
			Expect(d.TokenEndpoint).To(Equal("https://idp.example.com/oauth2/v1/token"))
		})

		It("ignores forwarded values that are not a scheme or a host", func() {
			d := get("X-Forwarded-Proto", "gopher", "X-Forwarded-Host", "evil.com/path?x")
			Expect(d.Issuer).To(Equal("http://idp.internal:9000/" + pid))
		})
	})
})
