package loadgen_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

func TestRunStopsAtTheRequestCap(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	load := loadgen.Load{Name: "count", Workers: 4, Op: func(context.Context) error { calls.Add(1); return nil }}
	res, err := loadgen.Run(t.Context(), load, loadgen.Options{Duration: time.Minute, MaxRequests: 500})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 500 || calls.Load() != 500 {
		t.Errorf("requests: got %d (%d calls), want 500", res.Requests, calls.Load())
	}
	if res.Errors != 0 || res.PerSecond() <= 0 {
		t.Errorf("got %d errors, %.0f/s; want 0 errors and a positive rate", res.Errors, res.PerSecond())
	}
}

func TestRunStopsAtTheDuration(t *testing.T) {
	t.Parallel()
	// The op blocks until the run's context ends: only the duration can stop it.
	load := loadgen.Load{Name: "block", Workers: 2, Op: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	res, err := loadgen.Run(t.Context(), load, loadgen.Options{Duration: 20 * time.Millisecond, MaxRequests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 {
		t.Errorf("errors: got %d, want 0 (operations cut by the deadline are not failures)", res.Errors)
	}
}

func TestRunCountsErrorsAndPercentiles(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	boom := errors.New("boom")
	load := loadgen.Load{Name: "half", Workers: 1, Op: func(context.Context) error {
		if n.Add(1)%2 == 0 {
			return boom
		}
		return nil
	}}
	res, err := loadgen.Run(t.Context(), load, loadgen.Options{Duration: time.Minute, MaxRequests: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 50 || !errors.Is(res.FirstError, boom) {
		t.Errorf("errors: got %d (first %v), want 50 (boom)", res.Errors, res.FirstError)
	}
	if res.P50 > res.P99 {
		t.Errorf("percentiles: got p50 %v > p99 %v", res.P50, res.P99)
	}
}

func TestRunRefusesUnboundedOptions(t *testing.T) {
	t.Parallel()
	op := func(context.Context) error { return nil }
	tests := []struct {
		name string
		load loadgen.Load
		opts loadgen.Options
	}{
		{"no duration", loadgen.Load{Workers: 1, Op: op}, loadgen.Options{MaxRequests: 1}},
		{"duration too long", loadgen.Load{Workers: 1, Op: op}, loadgen.Options{Duration: time.Hour, MaxRequests: 1}},
		{"no cap", loadgen.Load{Workers: 1, Op: op}, loadgen.Options{Duration: time.Second}},
		{"no workers", loadgen.Load{Op: op}, loadgen.Options{Duration: time.Second, MaxRequests: 1}},
		{"no op", loadgen.Load{Workers: 1}, loadgen.Options{Duration: time.Second, MaxRequests: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := loadgen.Run(t.Context(), tt.load, tt.opts); err == nil {
				t.Errorf("Run: got nil error, want a refusal")
			}
		})
	}
}

// TestScenarioTable: the table names every row of BENCHMARKS.md's commands
// once, each with a description and a Prepare.
func TestScenarioTable(t *testing.T) {
	t.Parallel()
	want := []string{"api-invalid-garbage", "api-invalid-kid", "api-me", "api-me-child", "api-me-distinct", "discovery", "jwks", "token", "token-repeat"}
	if got := loadgen.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q (each once)", got, want)
	}
	for _, name := range want {
		s, ok := loadgen.Lookup(name)
		if !ok || s.Name != name || s.Description == "" || s.Prepare == nil {
			t.Errorf("Lookup(%q) = %+v, %v: want the named scenario with a description and a Prepare", name, s, ok)
		}
	}
	if _, ok := loadgen.Lookup("no-such"); ok {
		t.Errorf("Lookup(no-such): found")
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://example.com", false},
		{"127.0.0.1:8080", false},
	}
	for _, tt := range tests {
		if err := loadgen.CheckLoopback(tt.url); (err == nil) != tt.want {
			t.Errorf("CheckLoopback(%q): got %v, want ok %v", tt.url, err, tt.want)
		}
	}
}

// TestScenariosEndToEnd runs every built-in scenario very briefly against
// an in-process mock: no errors, positive rates, a printed ratio.
func TestScenariosEndToEnd(t *testing.T) {
	base, s, stop, err := loadgen.StartMock()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	env := loadgen.Env{MockURL: base, ProjectID: s.ProjectID(), ClientID: "admin-client", ClientSecret: "admin-secret",
		Workers: 2, Client: loadgen.NewClient(2)}
	for _, name := range []string{"token", "token-repeat", "jwks", "discovery"} {
		sc, _ := loadgen.Lookup(name)
		rep, err := loadgen.Measure(t.Context(), sc, env, loadgen.Options{Duration: time.Minute, MaxRequests: 50})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Target.Errors != 0 || rep.Target.Requests == 0 || rep.Baseline.Requests == 0 || rep.Ratio() <= 0 {
			t.Errorf("%s: got target %+v baseline %+v", name, rep.Target, rep.Baseline)
		}
		var out strings.Builder
		rep.Print(&out)
		if !strings.Contains(out.String(), "ratio") {
			t.Errorf("%s: report lacks the ratio:\n%s", name, out.String())
		}
	}
	if got := s.RequestCount("token"); got == 0 {
		t.Errorf("mock token requests: got 0, want the load to reach the mock")
	}
}

func TestTokenScenarioRefusesWrongCredentials(t *testing.T) {
	base, s, stop, err := loadgen.StartMock()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	sc, _ := loadgen.Lookup("token")
	env := loadgen.Env{MockURL: base, ProjectID: s.ProjectID(), ClientID: "admin-client", ClientSecret: "wrong", Workers: 1, Client: loadgen.NewClient(1)}
	if _, err := loadgen.Measure(t.Context(), sc, env, loadgen.Options{Duration: 50 * time.Millisecond, MaxRequests: 5}); err == nil {
		t.Errorf("Measure with a wrong secret: got nil error, want the first token request to fail")
	}
}
