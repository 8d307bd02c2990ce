package harness

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/suites/internal/mockclient"
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
	env := &Env{
		Target:          External,
		APIURL:          apiURL,
		DetailAPIURL:    os.Getenv(EnvDetailAPIURL),
		Mock:            &mockclient.Client{BaseURL: mockURL, AdminToken: os.Getenv(EnvMockAdminToken)},
		Leeway:          auth.DefaultLeeway,
		RefetchCooldown: auth.DefaultRefetchCooldown,
		MaxHeaderBytes:  DefaultMaxHeaderBytes,
		http:            &http.Client{Timeout: 10 * time.Second},
	}
	if v := os.Getenv(EnvAPILeeway); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			Fail(EnvAPILeeway + ": " + err.Error())
		}
		env.Leeway = d
	}
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
	return env
}
