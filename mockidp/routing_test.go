package mockidp_test

import (
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Routing of the project's GET paths", Label("offline"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	// The project's key-set and discovery paths have a direct route; the
	// same paths spelled with a percent-escape go through the pattern
	// matcher. Both must answer alike.
	paths := map[string]string{
		"/v2/keys/" + pid:                                             mockidp.EndpointJWKS,
		"/v1/keys/" + pid:                                             mockidp.EndpointJWKS,
		"/" + pid + "/.well-known/jwks.json":                          mockidp.EndpointJWKS,
		"/" + pid + "/.well-known/openid-configuration":               mockidp.EndpointDiscovery,
		"/" + pid + "/.well-known/oauth-authorization-server":         mockidp.EndpointDiscovery,
		"/v1/apps/" + pid + "/.well-known/openid-configuration":       mockidp.EndpointDiscovery,
		"/v1/apps/" + pid + "/.well-known/oauth-authorization-server": mockidp.EndpointDiscovery,
	}
	escaped := func(path string) string {
		// "P" of the project ID as %50: the same path once unescaped.
		return strings.Replace(path, pid, "%50"+pid[1:], 1)
	}

	It("answers a path and its escaped spelling with the same response, counted alike", func() {
		for path, endpoint := range paths {
			before := m.RequestCount(endpoint)
			direct := call(m, http.MethodGet, path, "")
			matched := call(m, http.MethodGet, escaped(path), "")
			Expect(direct.Status).To(Equal(http.StatusOK), path)
			Expect(matched.Status).To(Equal(http.StatusOK), escaped(path))
			Expect(direct.Body).To(Equal(matched.Body), path)
			for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Etag"} {
				Expect(direct.Header.Values(h)).To(Equal(matched.Header.Values(h)), "%s %s", path, h)
			}
			Expect(m.RequestCount(endpoint)).To(Equal(before+2), path)
		}
	})

	It("answers other methods 405 with Allow and counts them by status", func() {
		for path := range paths {
			r := call(m, http.MethodPost, path, "")
			expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"), path)
		}
		Expect(metricsText(m)).To(ContainSubstring(`mockidp_requests_total{endpoint="jwks",status="405"} 3`))
	})

	It("answers HEAD with the GET headers and no body", func() {
		get := call(m, http.MethodGet, "/v2/keys/"+pid, "")
		head := call(m, http.MethodHead, "/v2/keys/"+pid, "")
		Expect(head.Status).To(Equal(http.StatusOK))
		Expect(head.Body).To(BeEmpty())
		Expect(head.Header.Get("Content-Length")).To(Equal(get.Header.Get("Content-Length")))
	})

	It("applies an injected fault on the direct route", func() {
		Expect(m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Status: http.StatusServiceUnavailable, Count: 1})).To(Succeed())
		expectDescopeError(call(m, http.MethodGet, "/v2/keys/"+pid, ""), http.StatusServiceUnavailable, mockidp.CodeServerError)
		Expect(call(m, http.MethodGet, "/v2/keys/"+pid, "").Status).To(Equal(http.StatusOK))
		Expect(metricsText(m)).To(ContainSubstring(`mockidp_requests_total{endpoint="jwks",status="503"} 1`))
	})

	It("counts 304 answers by their status", func() {
		Expect(m.SetJWKSCache(mockidp.JWKSCache{ETag: true})).To(Succeed())
		etag := call(m, http.MethodGet, "/v2/keys/"+pid, "").Header.Get("ETag")
		Expect(call(m, http.MethodGet, "/v2/keys/"+pid, "", "If-None-Match", etag).Status).To(Equal(http.StatusNotModified))
		Expect(metricsText(m)).To(ContainSubstring(`mockidp_requests_total{endpoint="jwks",status="304"} 1`))
	})

	It("keeps the most recent requests of the bounded log, oldest first", func() {
		m := startMock(mockidp.Config{RecentRequests: 3})
		for _, ua := range []string{"ua-0", "ua-1", "ua-2", "ua-3", "ua-4"} {
			call(m, http.MethodGet, "/v2/keys/"+pid, "", "User-Agent", ua)
		}
		var got []string
		for _, rec := range m.Requests().Recent[mockidp.EndpointJWKS] {
			got = append(got, rec.UserAgent)
		}
		Expect(got).To(Equal([]string{"ua-2", "ua-3", "ua-4"}))
		m.ClearRequests()
		call(m, http.MethodGet, "/v2/keys/"+pid, "", "User-Agent", "ua-5")
		Expect(m.Requests().Recent[mockidp.EndpointJWKS]).To(HaveLen(1))
		Expect(m.RequestCount(mockidp.EndpointJWKS)).To(Equal(1))
	})
})

// metricsText is the mock's /metrics page.
func metricsText(m *mockidptest.Mock) string {
	GinkgoHelper()
	resp, err := m.Client().Get(m.URL + "/metrics")
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}
