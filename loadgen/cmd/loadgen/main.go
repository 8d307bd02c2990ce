// Command loadgen measures mockidp endpoints and the API on loopback beside
// baselines measured in the same run, and prints requests/s, p50/p99
// latency, errors and the ratio to the baseline (and, for child processes,
// CPU time and idle and peak memory). Every run is bounded by -duration and
// -max-requests per measurement and stops by itself.
//
//	go run ./loadgen/cmd/loadgen -scenario token,jwks,discovery -duration 5s
//	go run ./loadgen/cmd/loadgen -scenario api-me-distinct,api-invalid-kid -duration 5s
//	go run ./loadgen/cmd/loadgen -mock-bin bin/mockidp -scenario token,token-repeat,jwks,discovery
//	go run ./loadgen/cmd/loadgen -startup bin/mockidp -runs 10
//	go run ./loadgen/cmd/loadgen -startup-api bin/api -runs 10
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
	"strings"
	"time"

	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
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
		startupAPI  = fs.String("startup-api", "", "instead of load: with a mock already serving, measure start to GET /ready = 200 and idle RSS of this bin/api")
		runs        = fs.Int("runs", 5, "with -startup or -startup-api: number of starts (at most 50)")
		startArgs   = fs.String("startup-args", "", "with -startup: extra space-separated arguments for the binary")
		apiBin      = fs.String("api-bin", "", "bin/api for the scenarios that run the API as a child process (default: go build it, and the bare baseline server, into a temporary folder)")
		mockBin     = fs.String("mock-bin", "", "run each scenario against a fresh child process of this bin/mockidp (on a free loopback port) and report its idle and peak memory")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, n := range loadgen.Names() {
			s, _ := loadgen.Lookup(n)
			fmt.Fprintf(stdout, "%-20s %s\n", n, s.Description)
		}
		return nil
	}
	if *startup != "" {
		return measureStartup(ctx, stdout, *startup, strings.Fields(*startArgs), *runs)
	}
	if *mockURL != "" && *mockBin != "" {
		return errors.New("-url and -mock-bin: choose one")
	}
	if *startupAPI != "" {
		env := loadgen.Env{ProjectID: *project, Client: loadgen.NewClient(2)}
		stopMock, err := startMockFor(ctx, &env, *mockURL, *mockBin)
		if err != nil {
			return err
		}
		defer stopMock()
		return measureAPIStartup(ctx, stdout, env, *startupAPI, *runs)
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

	// The whole run is bounded: two measurements per scenario plus set-up
	// (building bin/api once, child processes, minting a token pool).
	ctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(len(chosen))*(2*opts.Duration+time.Minute))
	defer cancel()
	env := loadgen.Env{ProjectID: *project, ClientID: *clientID, ClientSecret: *secret,
		Workers: *workers, Client: loadgen.NewClient(*workers)}
	dir, err := os.MkdirTemp("", "loadgen-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prebuilt := map[string]string{}
	if *apiBin != "" {
		prebuilt[loadgen.APIPackage] = *apiBin
	}
	env.Build = loadgen.NewBuilder(ctx, dir, prebuilt)
	where := *mockURL
	switch {
	case *mockBin != "":
		where = "child " + *mockBin + " per scenario"
	case where == "":
		where = "in-process"
	}
	fmt.Fprintf(stdout, "loadgen: mock %s, %d workers, %v per measurement, cap %d requests, GOMAXPROCS %d, %s\n",
		where, *workers, opts.Duration, opts.MaxRequests, runtime.GOMAXPROCS(0), runtime.Version())
	var stopShared func()
	if *mockBin == "" { // one mock for every scenario
		stop, err := startMockFor(ctx, &env, *mockURL, "")
		if err != nil {
			return err
		}
		stopShared = stop
		defer stopShared()
	}
	missed := false
	for _, s := range chosen {
		rep, err := measureOne(ctx, s, env, opts, *mockBin)
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

// measureOne runs one scenario; with mockBin, against a fresh child mock
// whose idle and peak memory join the report.
func measureOne(ctx context.Context, s loadgen.Scenario, env loadgen.Env, opts loadgen.Options, mockBin string) (loadgen.Report, error) {
	if mockBin == "" {
		return loadgen.Measure(ctx, s, env, opts)
	}
	mock, err := startMockChild(ctx, &env, mockBin)
	if err != nil {
		return loadgen.Report{}, err
	}
	defer mock.Stop()
	rep, err := loadgen.Measure(ctx, s, env, opts)
	if err != nil {
		return rep, err
	}
	m, err := mock.Memory()
	if err != nil {
		return rep, fmt.Errorf("mockidp memory: %w", err)
	}
	rep.Memory = append(rep.Memory, m)
	return rep, nil
}

// startMockFor points env at a mock: the one at url, a child of bin, or an
// in-process one.
func startMockFor(ctx context.Context, env *loadgen.Env, url, bin string) (stop func(), err error) {
	switch {
	case url != "":
		if err := loadgen.CheckLoopback(url); err != nil {
			return nil, err
		}
		env.MockURL = strings.TrimSuffix(url, "/")
		return func() {}, nil
	case bin != "":
		p, err := startMockChild(ctx, env, bin)
		if err != nil {
			return nil, err
		}
		return p.Stop, nil
	default:
		u, _, stop, err := loadgen.StartMock()
		if err != nil {
			return nil, fmt.Errorf("starting the in-process mock: %w", err)
		}
		env.MockURL = u
		return stop, nil
	}
}

// startMockChild starts bin serve --addr on a free loopback port with an
// empty environment (so the default project), waits for /_mock/health and a
// quiet second (idle RSS), and points env at it.
func startMockChild(ctx context.Context, env *loadgen.Env, bin string) (*loadgen.Proc, error) {
	p, addr, _, err := loadgen.StartOnFreeAddr(ctx, func(addr string) (loadgen.ProcSpec, error) {
		return loadgen.ProcSpec{Name: "mockidp", Binary: bin, Args: []string{"serve", "--addr", addr},
			Env: loadgen.ChildEnv(nil), ReadyURL: "http://" + addr + "/_mock/health"}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.Settle(time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	env.MockURL = "http://" + addr
	env.ProjectID = mockidp.DefaultProjectID
	env.MockIsChild = true
	env.MockCPU = p.CPU
	return p, nil
}

// measureAPIStartup starts bin/api -runs times against the mock of env and
// prints time to the first 200 from /ready (keys loaded) and idle VmRSS.
func measureAPIStartup(ctx context.Context, stdout io.Writer, env loadgen.Env, binary string, runs int) error {
	if runs < 1 || runs > 50 {
		return fmt.Errorf("runs %d: want 1 to 50", runs)
	}
	fmt.Fprintf(stdout, "bin/api start to GET /ready = 200, mock %s already serving\n", env.MockURL)
	return startups(ctx, stdout, runs, func(addr string) (loadgen.ProcSpec, error) {
		vars, err := loadgen.APIChildEnv(env, addr, nil)
		return loadgen.ProcSpec{Name: "api", Binary: binary, Env: vars, ReadyURL: "http://" + addr + "/ready"}, err
	})
}

// startups measures runs starts of the child spec(addr) describes, each on
// a new free loopback address, and prints each and their summary. A start
// whose address another process took first is made again on a new address:
// the lost attempts are printed and counted, never measured.
func startups(ctx context.Context, stdout io.Writer, runs int, spec func(addr string) (loadgen.ProcSpec, error)) error {
	var all []loadgen.Startup
	lost := 0
	for i := range runs {
		res, retried, err := loadgen.MeasureStartupOnFreeAddr(ctx, spec, time.Second)
		lost += retried
		if err != nil {
			return fmt.Errorf("start %d%s: %w", i+1, lostText(retried), err)
		}
		fmt.Fprintf(stdout, "start %d: ready in %v, idle RSS %s after %v%s\n", i+1, res.Ready.Round(100*time.Microsecond), loadgen.MiB(res.IdleRSS), res.Idle, lostText(retried))
		all = append(all, res)
	}
	printStartups(stdout, all, 100*time.Millisecond)
	if lost > 0 {
		fmt.Fprintf(stdout, "%d attempts lost their address to another process before binding it and were made again on a new one (not measured)\n", lost)
	}
	return nil
}

// lostText notes the attempts a start made again on a new address.
func lostText(retried int) string {
	if retried == 0 {
		return ""
	}
	return fmt.Sprintf(" (after %d attempts that lost their address to another process, not measured)", retried)
}

// printStartups prints the median and worst ready times and the largest
// idle RSS against the performance issue's goals.
func printStartups(stdout io.Writer, all []loadgen.Startup, readyGoal time.Duration) {
	s := loadgen.SummarizeStartups(all)
	fmt.Fprintf(stdout, "%d starts: median ready %v, worst %v (goal <= %v: median %s, worst %s); idle RSS max %s (goal <= 25 MB: %s)\n",
		len(all), s.Median.Round(100*time.Microsecond), s.Worst.Round(100*time.Microsecond), readyGoal,
		metText(s.Median <= readyGoal), metText(s.Worst <= readyGoal), loadgen.MiB(s.MaxIdleRSS), metText(s.MaxIdleRSS <= loadgen.IdleRSSGoal))
}

func metText(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// measureStartup starts the binary -runs times and prints time to the first
// 200 from /_mock/health and idle VmRSS.
func measureStartup(ctx context.Context, stdout io.Writer, binary string, extra []string, runs int) error {
	if runs < 1 || runs > 50 {
		return fmt.Errorf("runs %d: want 1 to 50", runs)
	}
	return startups(ctx, stdout, runs, func(addr string) (loadgen.ProcSpec, error) {
		args := append([]string{"serve", "--addr", addr}, extra...)
		return loadgen.ProcSpec{Name: "mockidp", Binary: binary, Args: args, ReadyURL: "http://" + addr + "/_mock/health"}, nil
	})
}
