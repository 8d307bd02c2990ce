package harness

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/api"
	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// defaultRetryBackoff keeps cold-start recovery quick in-process.
const defaultRetryBackoff = 10 * time.Millisecond

// startInProcess serves a fresh mock and API on loopback ports sharing the
// mock's clock, frozen at a whole second unless o.RunningClock.
func startInProcess(o Options) *Env {
	GinkgoHelper()
	captured := &logBuffer{}
	logs := slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(captured, &slog.HandlerOptions{Level: slog.LevelDebug}),
	))
	mock := mockidptest.Start(GinkgoT(), mockidp.Config{Project: o.Project, Logger: logs.With("component", "mockidp")})
	if !o.RunningClock {
		// A whole second makes exp/nbf arithmetic exact: claims are whole seconds.
		mock.SetClock(time.Unix(mock.Now().Unix(), 0), true)
	}
	for _, f := range o.ColdStart {
		expectOK(mock.InjectFault(f), "injecting a cold-start fault")
	}

	env := &Env{
		Target:    InProcess,
		Mock:      &mockclient.Client{BaseURL: mock.URL, ProjectID: mock.ProjectID(), HTTP: mock.Client()},
		MockHTTP:  mock.Client(),
		InProcess: mock,
		http:      &http.Client{Timeout: 10 * time.Second},
		logs:      captured,
	}
	ctx, cancel := context.WithCancel(context.Background())
	DeferCleanup(cancel)

	var validator *auth.Validator
	env.APIURL, validator = serveAPI(ctx, mock, o, false, logs)
	env.Validator = validator
	if o.DetailAPI {
		env.DetailAPIURL, _ = serveAPI(ctx, mock, o, true, logs)
	}
	switch {
	case o.NoLeeway:
		env.Leeway = 0
	case o.Leeway != 0:
		env.Leeway = o.Leeway
	default:
		env.Leeway = auth.DefaultLeeway
	}
	env.MaxHeaderBytes = DefaultMaxHeaderBytes
	env.HTTPTimeout = o.HTTPTimeout
	if env.HTTPTimeout == 0 {
		env.HTTPTimeout = auth.DefaultHTTPTimeout
	}
	env.RefetchCooldown = o.RefetchCooldown
	if env.RefetchCooldown == 0 {
		env.RefetchCooldown = auth.DefaultRefetchCooldown
	}
	if len(o.ColdStart) == 0 {
		Eventually(ctx, validator.Ready).WithTimeout(10*time.Second).WithPolling(5*time.Millisecond).
			Should(BeTrue(), "the API never loaded the mock's keys")
	}
	GinkgoWriter.Printf("in-process target: mock %s, API %s, clock %s\n", mock.URL, env.APIURL,
		mock.Now().UTC().Format(time.RFC3339))
	return env
}

// serveAPI starts a validator (on the mock's clock) and the API on a loopback port.
func serveAPI(ctx context.Context, mock *mockidptest.Mock, o Options, errorDetail bool, logs *slog.Logger) (string, *auth.Validator) {
	GinkgoHelper()
	backoff := o.RetryBackoff
	if backoff == 0 {
		backoff = defaultRetryBackoff
	}
	cfg := auth.Config{
		DiscoveryURL:     mock.DiscoveryURL(),
		Audience:         mock.ProjectID(),
		Leeway:           o.Leeway,
		NoLeeway:         o.NoLeeway,
		RefetchCooldown:  o.RefetchCooldown,
		DiscoveryRetries: o.DiscoveryRetries,
		RetryBackoff:     backoff,
		Now:              mock.Now,
		Logger:           logs.With("component", "auth", "detail", errorDetail),
		ErrorRenderer:    api.AuthErrorRenderer(errorDetail),
	}
	if o.HTTPTimeout != 0 || o.Transport != nil {
		timeout := o.HTTPTimeout
		if timeout == 0 {
			timeout = auth.DefaultHTTPTimeout
		}
		cfg.HTTPClient = &http.Client{Timeout: timeout, Transport: o.Transport}
	}
	v, err := auth.New(cfg)
	expectOK(err, "auth.New")
	handler, err := api.New(api.Config{Auth: v, ProjectID: mock.ProjectID(), DiscoveryURL: mock.DiscoveryURL(),
		Logger: logs.With("component", "api")})
	expectOK(err, "api.New")
	// As bin/api serves it: oversized header blocks get the API's JSON 431,
	// and only blocks beyond twice the limit meet net/http's own refusal.
	srv := httptest.NewUnstartedServer(api.LimitHeaders(DefaultMaxHeaderBytes, handler))
	srv.Config.MaxHeaderBytes = 2 * DefaultMaxHeaderBytes
	srv.Start()
	DeferCleanup(srv.Close)
	v.Start(ctx)
	return srv.URL, v
}

// logBuffer collects the in-process servers' logs, every level, for specs
// that scan them (Env.Logs).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
