// Command soak runs the fault soak: concurrent load on the protected API
// while the mock issuer rotates keys and fails a share of key-set requests.
// It prints its figures and exits 1 when a target is missed.
//
//	soak [-duration 60s] [-workers 8] [-rotate-every 200ms] [-fault-rate 0.1]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/descope-harness/harness/soak"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg soak.Config
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.Duration, "duration", 60e9, "how long the load runs")
	fs.IntVar(&cfg.Workers, "workers", 8, "concurrent API clients")
	fs.DurationVar(&cfg.RotateEvery, "rotate-every", 200e6, "key rotation interval of the mock")
	fs.DurationVar(&cfg.MintEvery, "mint-every", 100e6, "how often a fresh token is minted")
	fs.Float64Var(&cfg.FaultRate, "fault-rate", 0.1, "share of key-set requests that fail (500, timeout, empty set)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed of the fault choice (0: random)")
	fs.IntVar(&cfg.VerifiedCacheSize, "verified-cache-size", 0, "the API's verified-token cache (0: its default, negative: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.FaultRate < 0 || cfg.FaultRate > 1 {
		return fmt.Errorf("-fault-rate %v: want a share between 0 and 1", cfg.FaultRate)
	}
	res, err := soak.Run(ctx, cfg)
	if err != nil {
		return err
	}
	res.Print(stdout)
	if err := res.Check(); err != nil {
		if res.GoroutineStacks != "" {
			fmt.Fprintf(stdout, "goroutines left running:\n%s", res.GoroutineStacks)
		}
		return fmt.Errorf("targets missed:\n%w", err)
	}
	fmt.Fprintln(stdout, "all targets met")
	return nil
}
