// Package soak runs concurrent load against the protected API while the mock
// issuer rotates its keys and fails a share of key-set requests, then checks
// that no valid token was rejected, that no 5xx other than the contract's
// 503 was served, and that goroutines and resident memory came back to their
// starting values.
//
// Both servers run in this process on loopback ports. A token is "valid"
// when it is unexpired, signed by a key inside the mock's published window,
// and that key had already been delivered to the API in a successful key-set
// response: a key the API could not yet fetch (its fetch hit a fault) cannot
// be known, and its rejection is the validator's documented behaviour, not a
// false rejection.
package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/descope-harness/harness/api"
	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// Config configures a soak run. Zero values are the defaults of `make soak`.
type Config struct {
	// Duration (optional, default 60s) - how long the load runs.
	Duration time.Duration
	// Workers (optional, default 8) - concurrent clients of the API.
	Workers int
	// RotateEvery (optional, default 200ms) - key rotation interval of the mock.
	RotateEvery time.Duration
	// MintEvery (optional, default 100ms) - how often a fresh token is minted.
	MintEvery time.Duration
	// FaultRate (optional, default 0.1) - share of key-set requests that fail.
	FaultRate float64
	// FetchTimeout (optional, default 500ms) - the API's key-set request
	// timeout; the timeout fault waits twice as long.
	FetchTimeout time.Duration
	// Settle (optional, default 10s) - the longest wait, after the load, for
	// goroutines and memory to come back.
	Settle time.Duration
	// Seed (optional, default random) - seed of the fault choice.
	Seed uint64
	// VerifiedCacheSize (optional, default auth.DefaultVerifiedCacheSize;
	// negative disables it) - the API validator's cache of verified tokens.
	// The warm-up fills it
	// (twice, to cycle both generations) so that the starting figures
	// include this bounded cache at its steady size.
	VerifiedCacheSize int
	// Logger (optional, default discards) - logs of both servers.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.RotateEvery <= 0 {
		c.RotateEvery = 200 * time.Millisecond
	}
	if c.MintEvery <= 0 {
		c.MintEvery = 100 * time.Millisecond
	}
	if c.FaultRate <= 0 {
		c.FaultRate = 0.1
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = 500 * time.Millisecond
	}
	if c.Settle <= 0 {
		c.Settle = 10 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.VerifiedCacheSize == 0 {
		c.VerifiedCacheSize = auth.DefaultVerifiedCacheSize
	}
	return c
}

// Result holds the figures of a run.
type Result struct {
	Duration        time.Duration
	Requests        int64 // API requests answered
	OK              int64 // 200s
	Unavailable     int64 // 503s (the contract's "keys cannot be obtained")
	FalseRejections int64 // 401/403 of valid tokens
	ServerErrors    int64 // 5xx other than 503
	TransportErrors int64 // requests that got no response
	Rotations       int64
	KeySetRequests  int64
	KeySetFaults    map[string]int64 // by kind: status_500, timeout, empty_keys
	MintSkipped     int64            // mints skipped: no delivered key inside the window

	// Newest-key probe (not a target): one extra client sends tokens signed
	// by the mock's current key, which the API may not have fetched yet.
	// When the refetch for its unknown kid hits a fault, the API rejects it.
	NewestKeyRequests, NewestKeyRejections int64

	GoroutinesStart, GoroutinesEnd int
	RSSStart, RSSEnd               int64  // bytes; 0 when unknown
	HeapStart, HeapEnd             uint64 // live heap bytes after a GC (informational)
	WarmupTokens                   int    // distinct tokens sent to fill the bounded caches
	// GoroutineStacks is the goroutine profile taken when the goroutine
	// target is missed, so the failure says what was left running.
	GoroutineStacks string
}

// Check returns an error naming every target the run missed.
func (r Result) Check() error {
	var errs []error
	if r.FalseRejections > 0 {
		errs = append(errs, fmt.Errorf("%d valid tokens rejected, want 0", r.FalseRejections))
	}
	if r.ServerErrors > 0 {
		errs = append(errs, fmt.Errorf("%d 5xx responses other than 503, want 0", r.ServerErrors))
	}
	if r.TransportErrors > 0 {
		errs = append(errs, fmt.Errorf("%d requests got no response, want 0", r.TransportErrors))
	}
	if r.OK == 0 {
		errs = append(errs, errors.New("no request succeeded"))
	}
	if !within(r.GoroutinesEnd, r.GoroutinesStart) {
		errs = append(errs, fmt.Errorf("goroutines %d after the run, want within 10%% of %d", r.GoroutinesEnd, r.GoroutinesStart))
	}
	if r.RSSStart > 0 && !within(r.RSSEnd, r.RSSStart) {
		errs = append(errs, fmt.Errorf("resident memory %d bytes after the run, want within 10%% of %d", r.RSSEnd, r.RSSStart))
	}
	return errors.Join(errs...)
}

// within reports whether end is at most 10% above start (less is fine).
func within[N int | int64](end, start N) bool {
	return float64(end) <= float64(start)*1.10
}

// Print writes the figures, one per line.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "duration            %s\n", r.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "requests            %d (%.0f/s)\n", r.Requests, float64(r.Requests)/r.Duration.Seconds())
	fmt.Fprintf(w, "ok (200)            %d\n", r.OK)
	fmt.Fprintf(w, "unavailable (503)   %d\n", r.Unavailable)
	fmt.Fprintf(w, "false rejections    %d\n", r.FalseRejections)
	fmt.Fprintf(w, "other 5xx           %d\n", r.ServerErrors)
	fmt.Fprintf(w, "transport errors    %d\n", r.TransportErrors)
	fmt.Fprintf(w, "key rotations       %d\n", r.Rotations)
	fmt.Fprintf(w, "key-set requests    %d\n", r.KeySetRequests)
	fmt.Fprintf(w, "key-set faults      500=%d timeout=%d empty=%d\n", r.KeySetFaults["status_500"], r.KeySetFaults["timeout"], r.KeySetFaults["empty_keys"])
	fmt.Fprintf(w, "mints skipped       %d\n", r.MintSkipped)
	fmt.Fprintf(w, "newest-key probe    %d requests, %d rejected (informational: key not yet fetched)\n", r.NewestKeyRequests, r.NewestKeyRejections)
	fmt.Fprintf(w, "goroutines          start %d, end %d\n", r.GoroutinesStart, r.GoroutinesEnd)
	fmt.Fprintf(w, "resident memory     start %s, end %s\n", mib(r.RSSStart), mib(r.RSSEnd))
	fmt.Fprintf(w, "live heap           start %s, end %s (after %d warm-up tokens)\n", mib(int64(r.HeapStart)), mib(int64(r.HeapEnd)), r.WarmupTokens)
}

func mib(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// Run starts the mock and the API on loopback, measures the starting
// figures after a short warm-up, runs the load for cfg.Duration, stops
// everything but the process, and measures again. It returns the figures;
// use Result.Check for the verdict. The error is for setup failures only.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	var res Result

	mock, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), Logger: cfg.Logger})
	if err != nil {
		return res, fmt.Errorf("starting the mock: %w", err)
	}
	faults := &keySetFaults{mock: mock, rate: cfg.FaultRate, timeout: 2 * cfg.FetchTimeout,
		rnd: rand.New(rand.NewPCG(cfg.Seed, 0x50a4)), counts: map[string]int64{}}
	mockSrv, mockURL, err := serve(faults)
	if err != nil {
		mock.Close()
		return res, err
	}
	faults.baseURL = mockURL
	defer mock.Close()
	defer mockSrv.Close()

	providerClient := &http.Client{Timeout: cfg.FetchTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Second}}
	defer providerClient.CloseIdleConnections()
	validator, err := auth.New(auth.Config{
		DiscoveryURL: mockURL + "/" + mock.ProjectID() + "/.well-known/openid-configuration",
		Audience:     mock.ProjectID(),
		// Refresh the key set about once per rotation, so every new key
		// reaches the API without waiting for an unknown kid.
		CacheTTL:          cfg.RotateEvery * 5 / 4,
		MinCacheTTL:       cfg.RotateEvery / 2,
		MaxCacheTTL:       cfg.RotateEvery * 5 / 4,
		RefetchCooldown:   cfg.RotateEvery / 2,
		RetryBackoff:      cfg.RotateEvery / 2,
		HTTPClient:        providerClient,
		Logger:            cfg.Logger,
		VerifiedCacheSize: cfg.VerifiedCacheSize,
	})
	if err != nil {
		return res, err
	}
	handler, err := api.New(api.Config{Auth: validator, ProjectID: mock.ProjectID(), Logger: cfg.Logger})
	if err != nil {
		return res, err
	}
	apiSrv, apiURL, err := serve(handler)
	if err != nil {
		return res, err
	}
	defer apiSrv.Close()
	authCtx, stopAuth := context.WithCancel(ctx)
	defer stopAuth()
	validator.Start(authCtx)

	l := &load{apiURL: apiURL, mock: mock, faults: faults,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers, IdleConnTimeout: time.Second}}}
	defer l.client.CloseIdleConnections()

	// Warm-up: a short load so pools, caches and connections exist before the
	// starting figures are taken.
	warm := min(2*time.Second, max(cfg.Duration/10, time.Second))
	if err := waitReady(ctx, validator, 10*time.Second); err != nil {
		return res, err
	}
	l.run(ctx, cfg, warm, nil)
	// The fill and the starting figures run with the faults off: a fill
	// token must not meet a key the API could not fetch.
	faults.setRate(0)
	res.WarmupTokens = 2*max(cfg.VerifiedCacheSize, 0) + 1024
	if err := l.fill(ctx, res.WarmupTokens, cfg.Workers); err != nil {
		return res, err
	}
	// The figures are taken with the faults off (a timeout fault holds a
	// connection for a second) and the idle connections closed.
	quiesce := func() {
		l.client.CloseIdleConnections()
		providerClient.CloseIdleConnections()
	}
	res.GoroutinesStart, res.RSSStart = settle(ctx, quiesce, 0, 0, time.Second)
	res.HeapStart = liveHeap()

	faults.setRate(cfg.FaultRate)
	l.reset()
	start := time.Now()
	rotations := l.run(ctx, cfg, cfg.Duration, &res)
	res.Duration = time.Since(start)
	res.Rotations = rotations
	res.KeySetRequests, res.KeySetFaults = faults.figures()

	faults.setRate(0)
	res.GoroutinesEnd, res.RSSEnd = settle(ctx, quiesce, res.GoroutinesStart, res.RSSStart, cfg.Settle)
	res.HeapEnd = liveHeap()
	if !within(res.GoroutinesEnd, res.GoroutinesStart) {
		var stacks strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		res.GoroutineStacks = stacks.String()
	}
	return res, ctx.Err()
}

// serve listens on a loopback port and serves h until Close.
func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

func waitReady(ctx context.Context, v *auth.Validator, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for !v.Ready() {
		if time.Now().After(deadline) {
			return fmt.Errorf("the API loaded no keys within %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// load is the traffic: a rotator, a minter and workers.
type load struct {
	apiURL string
	mock   *mockidp.Server
	faults *keySetFaults
	client *http.Client
	token  atomic.Pointer[string]
	newest atomic.Pointer[string] // signed by the current key
}

func (l *load) reset() { l.faults.resetCounts() }

// run drives rotation, minting and workers for d; res (when not nil)
// receives the request figures. It returns the rotations made.
func (l *load) run(ctx context.Context, cfg Config, d time.Duration, res *Result) int64 {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var rotations atomic.Int64
	var wg sync.WaitGroup
	every(ctx, &wg, cfg.RotateEvery, func() {
		if l.mock.RotateKeys(1) == nil {
			rotations.Add(1)
		}
	})
	var skipped atomic.Int64
	l.mint(&skipped)
	every(ctx, &wg, cfg.MintEvery, func() { l.mint(&skipped) })

	var counts [6]atomic.Int64 // ok, 503, rejected, 5xx, transport, total
	var probe [2]atomic.Int64  // newest-key requests, rejections
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			tok := l.newest.Load()
			if tok == nil {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			status, err := l.get(ctx, "/api/me", *tok)
			if ctx.Err() != nil {
				return
			}
			probe[0].Add(1)
			if err == nil && (status == http.StatusUnauthorized || status == http.StatusForbidden) {
				probe[1].Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	paths := []string{"/api/me", "/api/claims", "/api/admin/users", "/api/data"}
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i++ {
				tok := l.token.Load()
				if tok == nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				status, err := l.get(ctx, paths[i%len(paths)], *tok)
				switch {
				case ctx.Err() != nil:
					return // the run ended during the request
				case err != nil:
					counts[4].Add(1)
				case status == http.StatusOK:
					counts[0].Add(1)
				case status == http.StatusServiceUnavailable:
					counts[1].Add(1)
				case status == http.StatusUnauthorized || status == http.StatusForbidden:
					counts[2].Add(1)
				case status >= 500:
					counts[3].Add(1)
				}
				counts[5].Add(1)
			}
		}()
	}
	wg.Wait()
	if res != nil {
		res.OK, res.Unavailable, res.FalseRejections = counts[0].Load(), counts[1].Load(), counts[2].Load()
		res.ServerErrors, res.TransportErrors, res.Requests = counts[3].Load(), counts[4].Load(), counts[5].Load()
		res.MintSkipped = skipped.Load()
		res.NewestKeyRequests, res.NewestKeyRejections = probe[0].Load(), probe[1].Load()
	}
	return rotations.Load()
}

// fill sends n distinct valid tokens through the API, so its bounded
// caches (and the mock's) reach their steady size before the starting
// figures are taken. Each must be accepted.
func (l *load) fill(ctx context.Context, n, workers int) error {
	iss := l.faults.baseURL + "/" + l.mock.ProjectID()
	var next, failed atomic.Int64
	var firstFailure atomic.Pointer[string]
	fail := func(format string, args ...any) {
		failed.Add(1)
		msg := fmt.Sprintf(format, args...)
		firstFailure.CompareAndSwap(nil, &msg)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n) && ctx.Err() == nil; i = next.Add(1) {
				// Signed by a key the API has been served (the last
				// rotation's key may not have reached it yet).
				resp, err := l.mock.Mint(mockidp.MintRequest{ClientID: "admin-client", Kid: l.faults.deliveredKid(), Issuer: iss, Claims: map[string]any{"warmup": i}})
				if err != nil {
					fail("minting: %v", err)
					continue
				}
				if status, err := l.get(ctx, "/api/me", resp.Token); err != nil {
					fail("GET /api/me: %v", err)
				} else if status != http.StatusOK {
					fail("GET /api/me: status %d", status)
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("warm-up: %d of %d tokens were not accepted (first: %s)", f, n, *firstFailure.Load())
	}
	return ctx.Err()
}

// mint makes a fresh token signed by the newest key the API has been
// served, and one signed by the current key for the probe.
func (l *load) mint(skipped *atomic.Int64) {
	iss := l.faults.baseURL + "/" + l.mock.ProjectID()
	if resp, err := l.mock.Mint(mockidp.MintRequest{ClientID: "admin-client", Issuer: iss}); err == nil {
		l.newest.Store(&resp.Token)
	}
	kid := l.faults.deliveredKid()
	if kid == "" {
		skipped.Add(1)
		return
	}
	resp, err := l.mock.Mint(mockidp.MintRequest{ClientID: "admin-client", Kid: kid, Issuer: iss})
	if err != nil {
		// The delivered key left the window: no fetch succeeded for a while.
		skipped.Add(1)
		l.token.Store(nil)
		return
	}
	l.token.Store(&resp.Token)
}

func (l *load) get(ctx context.Context, path, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.apiURL+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// every calls f each interval until ctx ends.
func every(ctx context.Context, wg *sync.WaitGroup, interval time.Duration, f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	}()
}
