// Command mockidp serves a mock Descope identity provider.
//
//	mockidp [serve] [flags]       serve the mock (default)
//	mockidp token --client ID     print an access token from a running mock
//	mockidp healthcheck           exit 0 when a running mock answers its health check
//	mockidp api-env               print DESCOPE_PROJECT_ID, DISCOVERY_URL and EXTRA_ISSUERS for bin/api
//	mockidp version               print the version
//
// Every flag has an environment twin: --public-url is MOCKIDP_PUBLIC_URL.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mockidp:", err)
		os.Exit(exitCode(err))
	}
}
