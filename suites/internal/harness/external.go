package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp/mockclient"
)

// startExternal points an Env at running processes, resetting the mock
// before and after the spec.
func startExternal(o Options) *Env {
	GinkgoHelper()
	mockURL, apiURL := os.Getenv(EnvMockURL), os.Getenv(EnvAPIURL)
	if mockURL == "" || apiURL == "" {
		Fail("the external target needs both " + EnvMockURL + " and " + EnvAPIURL)
	}
	if o.customisesAPI() {
		Skip("configures the API or the mock's project: runs in-process only")
	}
	if suiteConfig, _ := GinkgoConfiguration(); suiteConfig.ParallelTotal > 1 {
		Fail("the external target resets and drives one shared mock: run the suites without -p")
	}
	mockHTTP := mockClient(os.Getenv(EnvMockCAFile))
	env := &Env{
		Target:          External,
		APIURL:          apiURL,
		DetailAPIURL:    os.Getenv(EnvDetailAPIURL),
		Mock:            &mockclient.Client{BaseURL: mockURL, AdminToken: os.Getenv(EnvMockAdminToken), HTTP: mockHTTP},
		MockHTTP:        mockHTTP,
		Leeway:          auth.DefaultLeeway,
		RefetchCooldown: auth.DefaultRefetchCooldown,
		HTTPTimeout:     auth.DefaultHTTPTimeout,
		MaxHeaderBytes:  DefaultMaxHeaderBytes,
		http:            &http.Client{Timeout: 10 * time.Second},
	}
	env.Leeway = durationFromEnv(EnvAPILeeway, env.Leeway)
	env.RefetchCooldown = durationFromEnv(EnvAPIRefetchCooldown, env.RefetchCooldown)
	env.HTTPTimeout = durationFromEnv(EnvAPIProviderTimeout, env.HTTPTimeout)
	if v := os.Getenv(EnvAPIMaxHeaderBytes); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			Fail(EnvAPIMaxHeaderBytes + ": not a positive integer: " + v)
		}
		env.MaxHeaderBytes = n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	expectOK(env.Mock.Reset(ctx), "resetting the external mock")
	DeferCleanup(func(ctx SpecContext) {
		if err := env.Mock.Reset(ctx); err != nil {
			GinkgoWriter.Printf("resetting the external mock after the spec: %v\n", err)
		}
	})
	GinkgoWriter.Printf("external target: mock %s, API %s\n", mockURL, apiURL)
	env.awaitCurrentKey()
	return env
}

// awaitCurrentKey waits until the external APIs accept a token of the mock's
// current key. A reset brings back the mock's first key, which an API that
// saw it revoked by an earlier spec no longer holds: it refuses the key's
// tokens until its refetch cooldown lets it fetch the key set again. Specs
// start from an API that trusts the mock.
func (e *Env) awaitCurrentKey() {
	GinkgoHelper()
	token := e.Token(AdminClient)
	// Start is called from setup nodes without a SpecContext: this context
	// ends when the spec does.
	ctx := GinkgoT().Context()
	for _, base := range []string{e.APIURL, e.DetailAPIURL} {
		if base == "" {
			continue
		}
		Eventually(ctx, func() int {
			resp, err := e.Try(Request{Path: "/api/me", Token: token, BaseURL: base})
			if err != nil {
				return 0
			}
			return resp.Status
		}).WithTimeout(e.RefetchCooldown+2*time.Second).WithPolling(100*time.Millisecond).
			Should(Equal(http.StatusOK), "the API at %s never accepted a token of the mock's current key", base)
	}
}

// mockClient is the external mock's HTTP client: it trusts the CA in
// caFile (EnvMockCAFile) alone when one is given, so a spec run over HTTPS
// proves the mock's certificate verifies against the CA it publishes.
func mockClient(caFile string) *http.Client {
	GinkgoHelper()
	if caFile == "" {
		return &http.Client{Timeout: 10 * time.Second}
	}
	pem, err := os.ReadFile(caFile)
	expectOK(err, EnvMockCAFile)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		Fail(EnvMockCAFile + ": no PEM certificate in " + caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	DeferCleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}

// durationFromEnv is the duration in the environment variable name, or def when it is unset.
func durationFromEnv(name string, def time.Duration) time.Duration {
	GinkgoHelper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		Fail(name + ": not a non-negative duration: " + v)
	}
	return d
}
