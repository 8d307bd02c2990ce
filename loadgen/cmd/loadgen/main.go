// Command loadgen measures mockidp endpoints on loopback beside baselines
// measured in the same run, and prints requests/s, p50/p99 latency, errors
// and the ratio to the baseline. Every run is bounded by -duration and
// -max-requests per measurement and stops by itself.
//
//	go run ./loadgen/cmd/loadgen -scenario token,jwks,discovery -duration 5s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/loadgen"
	"github.com/descope-harness/harness/mockidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// errGoal reports that a scenario missed its goal under -strict.
var errGoal = errors.New("a scenario missed its goal")

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var (
		scenarios   = fs.String("scenario", "token,jwks,discovery", "comma-separated scenarios, or \"all\"; see -list")
		list        = fs.Bool("list", false, "list the scenarios and exit")
		workers     = fs.Int("workers", 2*runtime.GOMAXPROCS(0), "concurrent HTTP workers")
		duration    = fs.Duration("duration", 5*time.Second, "length of each measurement (target and baseline each), at most 5m")
		maxRequests = fs.Int("max-requests", 1_000_000, "hard cap on requests per measurement")
		mockURL     = fs.String("url", "", "base URL of a running mockidp on loopback (default: start one in-process on 127.0.0.1:0)")
		project     = fs.String("project", mockidp.DefaultProjectID, "project ID of the mock at -url")
		clientID    = fs.String("client", "admin-client", "client ID for the token scenarios")
		secret      = fs.String("secret", "admin-secret", "client secret for the token scenarios")
		strict      = fs.Bool("strict", false, "exit with status 1 when a scenario misses its goal")
		startup     = fs.String("startup", "", "instead of load: measure start-up time and idle RSS of this mockidp binary, started with --addr on a free loopback port")
		runs        = fs.Int("runs", 5, "with -startup: number of starts (at most 50)")
		startArgs   = fs.String("startup-args", "", "with -startup: extra space-separated arguments for the binary")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, n := range loadgen.Names() {
			s, _ := loadgen.Lookup(n)
			fmt.Fprintf(stdout, "%-14s %s\n", n, s.Description)
		}
		return nil
	}
	if *startup != "" {
		return measureStartup(ctx, stdout, *startup, strings.Fields(*startArgs), *runs)
	}
	opts := loadgen.Options{Duration: *duration, MaxRequests: *maxRequests}
	if err := opts.Validate(); err != nil {
		return err
	}
	if *workers < 1 || *workers > loadgen.MaxWorkers {
		return fmt.Errorf("workers %d: want 1 to %d", *workers, loadgen.MaxWorkers)
	}
	names := strings.Split(*scenarios, ",")
	if *scenarios == "all" {
		names = loadgen.Names()
	}
	var chosen []loadgen.Scenario
	for _, n := range names {
		s, ok := loadgen.Lookup(strings.TrimSpace(n))
		if !ok {
			return fmt.Errorf("unknown scenario %q; known: %s", n, strings.Join(loadgen.Names(), ", "))
		}
		chosen = append(chosen, s)
	}

	base := *mockURL
	if base == "" {
		u, _, stopMock, err := loadgen.StartMock()
		if err != nil {
			return fmt.Errorf("starting the in-process mock: %w", err)
		}
		defer stopMock()
		base = u
	} else if err := loadgen.CheckLoopback(base); err != nil {
		return err
	}
	base = strings.TrimSuffix(base, "/")

	// The whole run is bounded: two measurements per scenario plus set-up.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(chosen))*(2*opts.Duration+30*time.Second))
	defer cancel()
	env := loadgen.Env{MockURL: base, ProjectID: *project, ClientID: *clientID, ClientSecret: *secret,
		Workers: *workers, Client: loadgen.NewClient(*workers)}
	fmt.Fprintf(stdout, "loadgen: mock %s, %d workers, %v per measurement, cap %d requests, GOMAXPROCS %d, %s\n",
		base, *workers, opts.Duration, opts.MaxRequests, runtime.GOMAXPROCS(0), runtime.Version())
	missed := false
	for _, s := range chosen {
		rep, err := loadgen.Measure(ctx, s, env, opts)
		if err != nil {
			return err
		}
		rep.Print(stdout)
		if !rep.MeetsGoal() {
			missed = true
		}
	}
	if missed && *strict {
		return errGoal
	}
	return nil
}

// measureStartup starts the binary -runs times and prints time to the first
// 200 from /_mock/health and idle VmRSS.
func measureStartup(ctx context.Context, stdout io.Writer, binary string, extra []string, runs int) error {
	if runs < 1 || runs > 50 {
		return fmt.Errorf("runs %d: want 1 to 50", runs)
	}
	var (
		worst time.Duration
		all   []time.Duration
	)
	var maxRSS int64
	for i := range runs {
		addr, err := loadgen.FreeLoopbackAddr()
		if err != nil {
			return err
		}
		res, err := loadgen.MeasureStartup(ctx, binary, append([]string{"serve", "--addr", addr}, extra...), "http://"+addr+"/_mock/health", time.Second, 10*time.Second)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "start %d: ready in %v, idle RSS %.1f MiB after %v\n", i+1, res.Ready.Round(100*time.Microsecond), float64(res.IdleRSS)/(1<<20), res.Idle)
		worst = max(worst, res.Ready)
		all = append(all, res.Ready)
		maxRSS = max(maxRSS, res.IdleRSS)
	}
	slices.Sort(all)
	fmt.Fprintf(stdout, "median ready %v; ", all[len(all)/2].Round(100*time.Microsecond))
	fmt.Fprintf(stdout, "worst of %d: ready in %v (goal <= 150ms), idle RSS %.1f MiB (goal < 30 MiB)\n", runs, worst.Round(100*time.Microsecond), float64(maxRSS)/(1<<20))
	return nil
}
