package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// healthcheck GETs /health (or /ready with the argument "ready") on the
// configured HOST and PORT and fails unless the answer is 200. It needs only
// HOST and PORT, so it works in any container that runs the API.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	path := "/health"
	switch {
	case len(args) == 1 && args[0] == "ready":
		path = "/ready"
	case len(args) > 0:
		return fmt.Errorf("healthcheck: unexpected arguments %q (want nothing or \"ready\")", args)
	}
	p := envParser{getenv: getenv}
	host := p.str("HOST", "127.0.0.1")
	port := p.integer("PORT", 8000, 1, 65535)
	if err := errors.Join(p.errs...); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	target := "http://" + net.JoinHostPort(dialHost(host), strconv.Itoa(port)) + path

	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: status %d", target, resp.StatusCode)
	}
	_, err = fmt.Fprintf(stdout, "ok: GET %s: %d\n", target, resp.StatusCode)
	return err
}

// dialHost turns a wildcard listen host into one we can dial.
func dialHost(host string) string {
	host = strings.Trim(host, "[]")
	switch host {
	case "", "0.0.0.0":
		return "127.0.0.1"
	case "::":
		return "::1"
	}
	return host
}
