// Package loadgen is a bounded loopback load generator for mockidp and the
// API. A scenario measures one target (an endpoint of the mock, or of the
// API in-process or as a bin/api child process) beside a baseline measured
// in the same run, in alternating turns (RSA signing for the token endpoint, RS256 verification
// for distinct API tokens, a bare net/http handler otherwise), and reports
// the ratio: per wall-clock second, or per CPU-second when the scenario
// reads the CPU time of what serves each side (/proc/PID/stat). Child
// processes also report their idle and peak resident memory.
//
// Scenarios live in a registry (Register, Lookup, Names) so other packages
// or files can add their own. Every run stops by itself: at its duration or
// its request cap, whichever comes first.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of Options.
const (
	MaxDuration    = 5 * time.Minute
	MaxWorkers     = 1024
	MaxRequestsCap = 10_000_000
)

// Options bound one measurement.
type Options struct {
	// Duration (required, at most MaxDuration) - how long to run.
	Duration time.Duration
	// MaxRequests (required, at most MaxRequestsCap) - hard cap on operations.
	MaxRequests int
}

// Validate checks the bounds.
func (o Options) Validate() error {
	if o.Duration <= 0 || o.Duration > MaxDuration {
		return fmt.Errorf("duration %v: want more than 0 and at most %v", o.Duration, MaxDuration)
	}
	if o.MaxRequests <= 0 || o.MaxRequests > MaxRequestsCap {
		return fmt.Errorf("max requests %d: want 1 to %d", o.MaxRequests, MaxRequestsCap)
	}
	return nil
}

// Load is work for Run: Workers goroutines call Op in a loop.
type Load struct {
	// Name describes the load in reports, e.g. "POST /oauth2/v1/token".
	Name string
	// Workers (at least 1) - concurrent callers of Op.
	Workers int
	// Op performs one request or operation; an error counts as a failure.
	Op func(ctx context.Context) error
	// CPU (optional) - the cumulative CPU time of whatever does the work (a
	// child server, or this process), read right before and right after the
	// run so that Result.CPU is the CPU time spent in the measured window.
	CPU func() (time.Duration, error)
}

// Result is the outcome of one Run.
type Result struct {
	Name     string
	Workers  int
	Requests int // operations completed, failed ones included
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// CPU is the CPU time Load.CPU reports for the window; 0 without Load.CPU.
	CPU time.Duration
	// FirstError is the first failure seen, for the report.
	FirstError error
}

// PerSecond is the completed operations per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// PerCPUSecond is the completed operations per CPU-second of Load.CPU;
// 0 when CPU time was not measured.
func (r Result) PerCPUSecond() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Requests) / r.CPU.Seconds()
}

// CoresUsed is the CPU time over the wall time of the window.
func (r Result) CoresUsed() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return r.CPU.Seconds() / r.Elapsed.Seconds()
}

// Run drives load until opts.Duration passes, opts.MaxRequests operations
// have started, or ctx ends, and reports throughput and latency.
func Run(ctx context.Context, load Load, opts Options) (Result, error) {
	var s series
	if err := s.run(ctx, load, opts); err != nil {
		return Result{}, err
	}
	return s.result(), nil
}

// series adds up several runs of one load (the slices of an interleaved
// measurement) into one Result, percentiles over every latency.
type series struct {
	res       Result
	latencies []time.Duration
}

// run adds one run of load to the series.
func (s *series) run(ctx context.Context, load Load, opts Options) error {
	r, lat, err := runOnce(ctx, load, opts)
	if err != nil {
		return err
	}
	s.res.Name, s.res.Workers = r.Name, r.Workers
	s.res.Requests += r.Requests
	s.res.Errors += r.Errors
	s.res.Elapsed += r.Elapsed
	s.res.CPU += r.CPU
	if s.res.FirstError == nil {
		s.res.FirstError = r.FirstError
	}
	s.latencies = append(s.latencies, lat...)
	return nil
}

func (s *series) result() Result {
	slices.Sort(s.latencies)
	r := s.res
	r.P50, r.P99 = percentile(s.latencies, 0.50), percentile(s.latencies, 0.99)
	return r
}

// runOnce is Run, also returning every latency.
func runOnce(ctx context.Context, load Load, opts Options) (Result, []time.Duration, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, nil, err
	}
	if load.Workers < 1 || load.Workers > MaxWorkers {
		return Result{}, nil, fmt.Errorf("workers %d: want 1 to %d", load.Workers, MaxWorkers)
	}
	if load.Op == nil {
		return Result{}, nil, errors.New("load has no operation")
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()

	var (
		started  atomic.Int64
		mu       sync.Mutex
		errCount int
		firstErr error
		wg       sync.WaitGroup
	)
	latencies := make([][]time.Duration, load.Workers)
	var cpu0 time.Duration
	if load.CPU != nil {
		c, err := load.CPU()
		if err != nil {
			return Result{}, nil, fmt.Errorf("reading CPU time: %w", err)
		}
		cpu0 = c
	}
	begin := time.Now()
	for w := range load.Workers {
		wg.Go(func() {
			own := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil && started.Add(1) <= int64(opts.MaxRequests) {
				t0 := time.Now()
				err := load.Op(ctx)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break // cut short by the deadline: not a failure of the target
					}
					mu.Lock()
					errCount++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
				own = append(own, d)
			}
			latencies[w] = own
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	var cpu time.Duration
	if load.CPU != nil {
		c, err := load.CPU()
		if err != nil {
			return Result{}, nil, fmt.Errorf("reading CPU time: %w", err)
		}
		cpu = c - cpu0
	}

	all := slices.Concat(latencies...)
	return Result{
		Name:       load.Name,
		Workers:    load.Workers,
		Requests:   len(all),
		Errors:     errCount,
		Elapsed:    elapsed,
		CPU:        cpu,
		FirstError: firstErr,
	}, all, nil
}

// percentile of sorted durations (nearest rank); 0 when empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
