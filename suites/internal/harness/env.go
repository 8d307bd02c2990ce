// Package harness gives every scenario suite one Env: a protected API and the
// mock issuer it trusts, chosen by the environment.
//
//   - in-process (default): each Start serves a fresh mockidp and API on
//     loopback ports; the API's validator reads the mock's clock, which is
//     frozen at a whole second, so time-dependent specs are exact and instant;
//   - external: HARNESS_MOCKIDP_URL and HARNESS_API_URL (and optionally
//     HARNESS_MOCKIDP_ADMIN_TOKEN) name running processes; the mock is reset
//     around every spec and driven over its /_mock/ control plane; specs that
//     need the shared clock or an API configured by the spec are skipped.
//
// Live Descope settings come from Live (live.go). Helpers call GinkgoHelper,
// log to GinkgoWriter and register cleanup with DeferCleanup.
package harness

import (
	"context"
	"net/http"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// Environment variables that select the external target.
const (
	EnvMockURL        = "HARNESS_MOCKIDP_URL"
	EnvAPIURL         = "HARNESS_API_URL"
	EnvMockAdminToken = "HARNESS_MOCKIDP_ADMIN_TOKEN"
	// EnvMockCAFile (optional) is a PEM file of the CA that signed the
	// external mock's certificate, for a mock served over HTTPS (mockidp
	// serve --tls --tls-ca-out FILE): every client of the mock trusts it.
	EnvMockCAFile = "HARNESS_MOCKIDP_CA_FILE"
	// EnvDetailAPIURL (optional) names a second API started with
	// AUTH_ERROR_DETAIL=true against the same mock, for detail-mode specs.
	EnvDetailAPIURL = "HARNESS_API_DETAIL_URL"
	// EnvAPILeeway (optional, default 5s) is the external API's LEEWAY.
	EnvAPILeeway = "HARNESS_API_LEEWAY"
	// EnvAPIMaxHeaderBytes (optional, default 65536) is the external API's MAX_HEADER_BYTES.
	EnvAPIMaxHeaderBytes = "HARNESS_API_MAX_HEADER_BYTES"
	// EnvAPIRefetchCooldown (optional, default 5s) is the external API's
	// JWKS_REFETCH_COOLDOWN; a short one makes the specs that wait it out quicker.
	EnvAPIRefetchCooldown = "HARNESS_API_REFETCH_COOLDOWN"
	// EnvAPIProviderTimeout (optional, default 10s) is the external API's
	// PROVIDER_TIMEOUT; at 2s or less the slow key-set spec runs externally too.
	EnvAPIProviderTimeout = "HARNESS_API_PROVIDER_TIMEOUT"
)

// DefaultMaxHeaderBytes is bin/api's default MAX_HEADER_BYTES: header blocks
// above it get a JSON 431. The in-process API is served the same way.
const DefaultMaxHeaderBytes = 64 << 10

// SkipSharedClock is the reason specs that move the shared clock give in the external target.
const SkipSharedClock = "needs the shared clock: runs in-process only"

// Target is where an Env's API and mock run.
type Target string

// The targets.
const (
	InProcess Target = "in-process"
	External  Target = "external"
	// LiveTarget is an in-process API trusting real Descope (StartLiveAPI); it has no mock.
	LiveTarget Target = "live"
)

// CurrentTarget is the target the environment selects.
func CurrentTarget() Target {
	if os.Getenv(EnvMockURL) != "" || os.Getenv(EnvAPIURL) != "" {
		return External
	}
	return InProcess
}

// Options tune the in-process API and mock. Zero values are the defaults of
// auth.Config and the default fixture project. In the external target an
// option that changes the API or the mock's project skips the spec.
type Options struct {
	// Project (optional, default the fixture project) - the mock's project.
	Project *mockidp.Project
	// Leeway (optional, default auth's 5s) - the validator's leeway.
	Leeway time.Duration
	// NoLeeway (optional) - force a zero leeway.
	NoLeeway bool
	// RefetchCooldown (optional, default auth's 5s) - unknown-kid refetch cooldown.
	RefetchCooldown time.Duration
	// HTTPTimeout (optional, default auth's 10s) - timeout of the validator's provider requests.
	HTTPTimeout time.Duration
	// Transport (optional, default http.DefaultTransport) - the round tripper
	// of the validator's provider requests, e.g. to hold a key-set fetch.
	Transport http.RoundTripper
	// DiscoveryRetries (optional, default auth's 4; negative for none).
	DiscoveryRetries int
	// RetryBackoff (optional, default 10ms here) - first retry backoff of the validator.
	RetryBackoff time.Duration
	// DetailAPI (optional) - also serve a second API in error-detail mode (Env.DetailAPIURL).
	DetailAPI bool
	// ColdStart (optional) - faults injected before the API starts; Start
	// then does not wait for the API to load keys.
	ColdStart []mockidp.Fault
	// RunningClock (optional) - leave the shared clock running instead of
	// freezing it (it is still shared and can be advanced).
	RunningClock bool
}

func (o Options) customisesAPI() bool {
	return o.Project != nil || o.Leeway != 0 || o.NoLeeway || o.RefetchCooldown != 0 || o.HTTPTimeout != 0 || o.Transport != nil ||
		o.DiscoveryRetries != 0 || o.RetryBackoff != 0 || len(o.ColdStart) > 0 || o.RunningClock
}

// Env is one API and the mock it trusts.
type Env struct {
	// Target is where they run.
	Target Target
	// APIURL is the API's base URL.
	APIURL string
	// DetailAPIURL is an API in error-detail mode against the same mock, or "".
	DetailAPIURL string
	// Mock drives the mock over its control plane (both targets).
	Mock *mockclient.Client
	// MockHTTP is an HTTP client for the mock's own URLs (its Descope API and
	// OAuth endpoints): it trusts the mock's CA when the mock is served over
	// HTTPS (EnvMockCAFile). Specs that call the mock use its Transport.
	MockHTTP *http.Client
	// InProcess is the in-process mock (Go control, shared clock); nil in the external target.
	InProcess *mockidptest.Mock
	// Validator is the in-process API's validator; nil in the external target.
	Validator *auth.Validator
	// Leeway is the API's leeway.
	Leeway time.Duration
	// RefetchCooldown is the API's unknown-kid refetch cooldown.
	RefetchCooldown time.Duration
	// HTTPTimeout is the timeout of the API's requests to the provider.
	HTTPTimeout time.Duration
	// MaxHeaderBytes is the largest request header block the API answers
	// normally; larger ones get 431.
	MaxHeaderBytes int

	http *http.Client
	logs *logBuffer
}

// Logs is everything the in-process mock and APIs have logged so far, at
// every level; ok is false in the external target, whose logs are not here.
func (e *Env) Logs() (logs string, ok bool) {
	if e.logs == nil {
		return "", false
	}
	return e.logs.String(), true
}

// Start returns an Env for the current target; everything it starts is
// stopped by DeferCleanup when the spec ends.
func Start(o Options) *Env {
	GinkgoHelper()
	if CurrentTarget() == External {
		return startExternal(o)
	}
	return startInProcess(o)
}

// RequireInProcess skips the spec in the external target with reason.
func (e *Env) RequireInProcess(reason string) {
	GinkgoHelper()
	if e.Target != InProcess {
		Skip(reason)
	}
}

// RequireExternal skips the spec in the in-process target with reason: for
// the real-time variant of a spec whose in-process variant uses the shared
// clock.
func (e *Env) RequireExternal(reason string) {
	GinkgoHelper()
	if e.Target != External {
		Skip(reason)
	}
}

// RequireDetailAPI skips the spec when no error-detail API is available.
func (e *Env) RequireDetailAPI() {
	GinkgoHelper()
	if e.DetailAPIURL == "" {
		Skip("needs an API with AUTH_ERROR_DETAIL=true: set " + EnvDetailAPIURL + " or run in-process")
	}
}

// Now is the shared clock's time (in-process only).
func (e *Env) Now() time.Time {
	GinkgoHelper()
	e.RequireInProcess(SkipSharedClock)
	return e.InProcess.Now()
}

// Advance moves the shared clock forward by d (in-process only).
func (e *Env) Advance(d time.Duration) {
	GinkgoHelper()
	e.RequireInProcess(SkipSharedClock)
	e.InProcess.Advance(d)
	GinkgoWriter.Printf("clock advanced by %s to %s\n", d, e.InProcess.Now().UTC().Format(time.RFC3339))
}

// SetClock sets the shared clock to t, frozen (in-process only).
func (e *Env) SetClock(t time.Time) {
	GinkgoHelper()
	e.RequireInProcess(SkipSharedClock)
	e.InProcess.SetClock(t, true)
	GinkgoWriter.Printf("clock set to %s\n", t.UTC().Format(time.RFC3339))
}

// PassRefetchCooldown lets the API's unknown-kid refetch cooldown pass:
// in-process it advances the shared clock by the cooldown; against external
// processes the cooldown runs in real time, so it does nothing and
// ExpectAcceptedAfterRefetch polls instead.
func (e *Env) PassRefetchCooldown() {
	GinkgoHelper()
	if e.Target == InProcess {
		e.Advance(e.RefetchCooldown)
	}
}

// expectOK fails the spec with context when err is not nil.
func expectOK(err error, what string) {
	GinkgoHelper()
	Expect(err).NotTo(HaveOccurred(), what)
}

// ExpectAcceptedAfterRefetch asserts that the API answers 200 to a GET of
// path with a token of a newly published key. In-process the shared clock
// keeps the refetch cooldown under the spec's control, so the first answer
// must be 200. Against external processes the cooldown runs in real time
// and an earlier spec (or suite) may have started it, so the answer may be
// 401 until the cooldown has passed: poll for at most the cooldown plus a
// margin, never sleep.
func (e *Env) ExpectAcceptedAfterRefetch(ctx context.Context, path, token string) {
	GinkgoHelper()
	if e.Target == InProcess {
		Expect(e.Get(path, token).Status).To(Equal(200))
		return
	}
	Eventually(ctx, func() int { return e.StatusOf(path, token) }).
		WithTimeout(e.RefetchCooldown+2*time.Second).
		WithPolling(100*time.Millisecond).
		Should(Equal(200), "a token of a newly published key, once the API's refetch cooldown allowed a key-set fetch")
}
