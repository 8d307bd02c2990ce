// Command api serves the protected API (the Go port of Descope's FastAPI
// example). Configuration comes from the environment; `api help` lists it, as
// does the README (Configuration, api).
//
// Usage:
//
//	api [serve]           start the server (default)
//	api healthcheck       exit 0 if GET /health on the configured address answers 200
//	api healthcheck ready exit 0 if GET /ready answers 200 (signing keys loaded)
//	api version           print the version
//	api help              usage and every environment variable with its default
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}
