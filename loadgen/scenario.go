package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
)

// Scenario is a named measurement: a target load beside its baseline.
type Scenario struct {
	// Name selects the scenario on the command line, e.g. "token".
	Name string
	// Description says what target and baseline are.
	Description string
	// MinRatio (optional) - the target's throughput must reach this
	// fraction of the baseline's; 0 means no goal.
	MinRatio float64
	// Prepare builds the plan against env. It may start servers; the
	// plan's Close stops them.
	Prepare func(ctx context.Context, env Env) (Plan, error)
}

// Plan is a prepared scenario.
type Plan struct {
	Target   Load
	Baseline Load
	// Close (optional) releases what Prepare started.
	Close func()
}

// Env is what a scenario may use.
type Env struct {
	// MockURL is the base URL of a mockidp on loopback, e.g. "http://127.0.0.1:8080".
	MockURL string
	// ProjectID is the mock's project ID.
	ProjectID string
	// ClientID and ClientSecret are a client-credentials client of the mock.
	ClientID, ClientSecret string
	// Workers is the number of concurrent HTTP callers asked for.
	Workers int
	// Client is an HTTP client tuned for Workers keep-alive connections.
	Client *http.Client
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Scenario{}
)

// Register adds a scenario; it panics on an empty or duplicate name or a
// missing Prepare, which are programming errors found at init.
func Register(s Scenario) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if s.Name == "" || s.Prepare == nil {
		panic("loadgen: a scenario needs a name and a Prepare function")
	}
	if _, dup := registry[s.Name]; dup {
		panic(fmt.Sprintf("loadgen: scenario %q registered twice", s.Name))
	}
	registry[s.Name] = s
}

// Lookup returns the scenario registered under name.
func Lookup(name string) (Scenario, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s, ok := registry[name]
	return s, ok
}

// Names lists the registered scenarios, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Report is one scenario's outcome.
type Report struct {
	Scenario Scenario
	Target   Result
	Baseline Result
}

// Ratio is the target's throughput over the baseline's.
func (r Report) Ratio() float64 {
	b := r.Baseline.PerSecond()
	if b == 0 {
		return 0
	}
	return r.Target.PerSecond() / b
}

// MeetsGoal reports whether the ratio reaches the scenario's MinRatio and
// the target had no errors.
func (r Report) MeetsGoal() bool {
	return r.Target.Errors == 0 && (r.Scenario.MinRatio == 0 || r.Ratio() >= r.Scenario.MinRatio)
}

// Measure prepares a scenario and runs its baseline, then its target, each
// for opts.
func Measure(ctx context.Context, s Scenario, env Env, opts Options) (Report, error) {
	if err := opts.Validate(); err != nil {
		return Report{}, err
	}
	plan, err := s.Prepare(ctx, env)
	if err != nil {
		return Report{}, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if plan.Close != nil {
		defer plan.Close()
	}
	rep := Report{Scenario: s}
	if rep.Baseline, err = Run(ctx, plan.Baseline, opts); err != nil {
		return rep, fmt.Errorf("scenario %s baseline: %w", s.Name, err)
	}
	if rep.Target, err = Run(ctx, plan.Target, opts); err != nil {
		return rep, fmt.Errorf("scenario %s target: %w", s.Name, err)
	}
	return rep, nil
}
