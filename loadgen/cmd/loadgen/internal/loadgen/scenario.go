package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"time"
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
	// PerCPU makes the ratio compare operations per CPU-second (Load.CPU of
	// target and baseline) instead of operations per wall-clock second.
	PerCPU bool
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
	// Window (optional) - called right before the target's run; the function
	// it returns is called right after, with the target's result, and gives
	// notes for the report (such as the key-set fetches the mock counted).
	Window func() (end func(target Result) ([]Note, error), err error)
	// Procs (optional) - child processes serving the target; the report
	// shows their idle and peak memory.
	Procs []*Proc
}

// Note is a line of a report beyond throughput, with its own goal.
type Note struct {
	Text string
	// Missed marks a note whose goal was not met.
	Missed bool
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
	// Build (optional) - returns the path of a binary of a main package of
	// the module (APIPackage, BarePackage), for the scenarios that run
	// servers as child processes (see NewBuilder).
	Build func(pkg string) (string, error)
	// MockIsChild says the mock at MockURL is a child process of this one
	// (-mock-bin): the bare baselines of the mock's rows then run as child
	// processes too, so that neither side shares a Go runtime with the load.
	MockIsChild bool
	// MockCPU (optional) - the child mock's CPU time, for the target loads of
	// the mock's rows.
	MockCPU func() (time.Duration, error)
}

// Report is one scenario's outcome.
type Report struct {
	Scenario Scenario
	Target   Result
	Baseline Result
	// Notes are the plan's extra observations of the target's window.
	Notes []Note
	// Memory is the idle and peak memory of the child processes involved.
	Memory []Memory
}

// Ratio is the target's throughput over the baseline's: per wall-clock
// second, or per CPU-second when the scenario is PerCPU.
func (r Report) Ratio() float64 {
	if r.Scenario.PerCPU {
		return ratio(r.Target.PerCPUSecond(), r.Baseline.PerCPUSecond())
	}
	return ratio(r.Target.PerSecond(), r.Baseline.PerSecond())
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// MeetsGoal reports whether the ratio reaches the scenario's MinRatio, the
// target had no errors, no note missed its goal and every child process
// stayed within the memory goals.
func (r Report) MeetsGoal() bool {
	if r.Target.Errors != 0 || (r.Scenario.MinRatio != 0 && r.Ratio() < r.Scenario.MinRatio) {
		return false
	}
	for _, n := range r.Notes {
		if n.Missed {
			return false
		}
	}
	for _, m := range r.Memory {
		if !m.MeetsGoal() {
			return false
		}
	}
	return true
}

// Measure prepares a scenario and runs its baseline and its target in
// alternating turns (see Slices), each side for opts.Duration and at most
// opts.MaxRequests in all.
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
	var end func(Result) ([]Note, error)
	if plan.Window != nil {
		if end, err = plan.Window(); err != nil {
			return rep, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	if rep.Baseline, rep.Target, err = interleave(ctx, plan.Baseline, plan.Target, opts); err != nil {
		return rep, fmt.Errorf("scenario %s %w", s.Name, err)
	}
	if end != nil {
		if rep.Notes, err = end(rep.Target); err != nil {
			return rep, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	for _, p := range plan.Procs {
		m, err := p.Memory()
		if err != nil {
			return rep, fmt.Errorf("scenario %s: %s memory: %w", s.Name, p.Name, err)
		}
		rep.Memory = append(rep.Memory, m)
	}
	return rep, nil
}

// Slices is how many turns the baseline and the target each take in
// Measure. Alternating short turns (baseline, target, baseline, ...) gives
// both sides the same share of whatever else the machine is doing, which
// one long run after the other does not: the ratio is far steadier.
const Slices = 8

// interleave runs baseline and target in Slices alternating turns of
// opts.Duration/Slices each, each side capped at opts.MaxRequests in all.
func interleave(ctx context.Context, baseline, target Load, opts Options) (Result, Result, error) {
	turn := max(opts.Duration/Slices, time.Millisecond)
	var b, t series
	for range Slices {
		for _, side := range []struct {
			name string
			load Load
			s    *series
		}{{"baseline", baseline, &b}, {"target", target, &t}} {
			left := opts.MaxRequests - side.s.res.Requests
			if left <= 0 {
				continue
			}
			if err := side.s.run(ctx, side.load, Options{Duration: turn, MaxRequests: left}); err != nil {
				return Result{}, Result{}, fmt.Errorf("%s: %w", side.name, err)
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	return b.result(), t.result(), nil
}
