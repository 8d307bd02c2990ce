package mockidp_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Key sets", Label("offline", "keys"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	// jwks reads a key-set path as the list of its JWKs, whatever its shape.
	jwks := func(path string, array bool) []map[string]any {
		GinkgoHelper()
		r := call(m, http.MethodGet, path, "")
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
		var list []map[string]any
		if array {
			Expect(json.Unmarshal(r.Body, &list)).To(Succeed(), "body %s", r.Body)
			return list
		}
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		Expect(json.Unmarshal(r.Body, &set)).To(Succeed(), "body %s", r.Body)
		Expect(strings.HasPrefix(string(r.Body), `{"keys":[`)).To(BeTrue())
		return set.Keys
	}

	DescribeTable("publishes public RSA keys in the shape each path promises",
		func(path string, array bool) {
			keys := jwks(path, array)
			Expect(keys).To(HaveLen(1))
			k := keys[0]
			Expect(k).To(HaveLen(6), "only alg, e, kid, kty, n, use: never private members")
			Expect(k).To(HaveKeyWithValue("alg", "RS256"))
			Expect(k).To(HaveKeyWithValue("kty", "RSA"))
			Expect(k).To(HaveKeyWithValue("use", "sig"))
			Expect(k).To(HaveKeyWithValue("e", "AQAB"))
			Expect(k["kid"]).To(Equal(m.Keys().Current().ID))
			Expect(k["kid"]).To(MatchRegexp(`^SK[A-Za-z0-9]{27}$`))
			n, err := base64.RawURLEncoding.DecodeString(k["n"].(string))
			Expect(err).NotTo(HaveOccurred())
			Expect(len(n) * 8).To(BeNumerically(">=", 2048))
		},
		Entry("/{pid}/.well-known/jwks.json", "/"+pid+"/.well-known/jwks.json", false),
		Entry("/v2/keys/{pid} (the SDKs' path)", "/v2/keys/"+pid, false),
		Entry("/v1/keys/{pid} (legacy bare array)", "/v1/keys/"+pid, true),
		Entry("//v2/keys/{pid} (doubled slash)", "//v2/keys/"+pid, false),
		Entry("//v1/keys/{pid} (doubled slash, legacy)", "//v1/keys/"+pid, true),
	)

	It("lists the current key first and the previous ones after it", func() {
		first := m.Keys().Current().ID
		Expect(m.RotateKeys(2)).To(Succeed())
		keys := jwks("/v2/keys/"+pid, false)
		Expect(keys).To(HaveLen(3))
		Expect(keys[0]["kid"]).To(Equal(m.Keys().Current().ID))
		Expect(keys[2]["kid"]).To(Equal(first))
	})

	It("serves the same keys on all three paths", func() {
		Expect(m.RotateKeys(1)).To(Succeed())
		kids := func(list []map[string]any) []any {
			out := []any{}
			for _, k := range list {
				out = append(out, k["kid"])
			}
			return out
		}
		want := kids(jwks("/v2/keys/"+pid, false))
		Expect(kids(jwks("/"+pid+"/.well-known/jwks.json", false))).To(Equal(want))
		Expect(kids(jwks("/v1/keys/"+pid, true))).To(Equal(want))
	})

	When("the project ID is unknown", func() {
		It("answers 404 with a Descope error body on every path", func() {
			for _, path := range []string{"/P2Nope/.well-known/jwks.json", "/v2/keys/P2Nope", "/v1/keys/P2Nope"} {
				expectDescopeError(call(m, http.MethodGet, path, ""), http.StatusNotFound, mockidp.CodeNotFound)
			}
		})
	})

	When("the method is wrong", func() {
		It("answers 405 with an Allow header", func() {
			r := call(m, http.MethodDelete, "/v2/keys/"+pid, "")
			expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
		})
	})

	Describe("cache headers", func() {
		It("sends none by default", func() {
			r := call(m, http.MethodGet, "/v2/keys/"+pid, "")
			Expect(r.Header.Get("Cache-Control")).To(BeEmpty())
			Expect(r.Header.Get("ETag")).To(BeEmpty())
		})

		It("sends max-age and an ETag, and 304 for a matching If-None-Match", func() {
			r := call(m, http.MethodPut, "/_mock/jwks-cache", `{"max_age":60,"etag":true}`)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			Expect(r.JSON()).To(Equal(map[string]any{"max_age": 60.0, "no_store": false, "etag": true}))

			first := call(m, http.MethodGet, "/v2/keys/"+pid, "")
			Expect(first.Header.Get("Cache-Control")).To(Equal("public, max-age=60"))
			etag := first.Header.Get("ETag")
			Expect(etag).To(MatchRegexp(`^"[0-9a-f]+"$`))

			again := call(m, http.MethodGet, "/v2/keys/"+pid, "", "If-None-Match", etag)
			Expect(again.Status).To(Equal(http.StatusNotModified))
			Expect(again.Body).To(BeEmpty())
			Expect(call(m, http.MethodGet, "/v1/keys/"+pid, "", "If-None-Match", "W/"+etag).Status).To(Equal(http.StatusNotModified))
			Expect(call(m, http.MethodGet, "/v2/keys/"+pid, "", "If-None-Match", `"other", `+etag).Status).To(Equal(http.StatusNotModified))

			By("changing the ETag when the keys rotate")
			Expect(m.RotateKeys(1)).To(Succeed())
			after := call(m, http.MethodGet, "/v2/keys/"+pid, "", "If-None-Match", etag)
			Expect(after.Status).To(Equal(http.StatusOK))
			Expect(after.Header.Get("ETag")).NotTo(Equal(etag))
		})

		It("sends no-store when asked, winning over max-age", func() {
			Expect(call(m, http.MethodPut, "/_mock/jwks-cache", `{"max_age":60,"no_store":true}`).Status).To(Equal(http.StatusOK))
			Expect(call(m, http.MethodGet, "/v2/keys/"+pid, "").Header.Get("Cache-Control")).To(Equal("no-store"))
		})

		It("reads the settings back with GET", func() {
			Expect(m.SetJWKSCache(mockidp.JWKSCache{MaxAge: 30})).To(Succeed())
			r := call(m, http.MethodGet, "/_mock/jwks-cache", "")
			Expect(r.JSON()).To(HaveKeyWithValue("max_age", 30.0))
		})

		It("refuses a negative max-age and unknown fields", func() {
			expectDescopeError(call(m, http.MethodPut, "/_mock/jwks-cache", `{"max_age":-1}`), http.StatusBadRequest, mockidp.CodeMockBadRequest)
			expectDescopeError(call(m, http.MethodPut, "/_mock/jwks-cache", `{"maxage":5}`), http.StatusBadRequest, mockidp.CodeMockBadRequest)
			expectDescopeError(call(m, http.MethodPut, "/_mock/jwks-cache", ``), http.StatusBadRequest, mockidp.CodeMockBadRequest)
		})
	})
})
