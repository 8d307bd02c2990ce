package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/keys"
)

// run is the whole program: main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "token":
		return token(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout, stderr)
	case "api-env":
		return apiEnv(ctx, args, getenv, stdout, stderr)
	case "clients":
		return clients(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "mockidp", version)
		return nil
	case "help":
		printHelp(stdout)
		return nil
	default:
		return usageError{fmt.Errorf("unknown command %q (want serve, token, healthcheck, api-env, clients or version)", cmd)}
	}
}

const usage = `mockidp: a mock Descope identity provider

  mockidp [serve] [flags]                 serve the mock (default)
  mockidp token --client ID [--secret S]  print an access token from a running mock
  mockidp healthcheck [--url URL]         exit 0 when a running mock is healthy
  mockidp api-env [--url URL]             print the environment bin/api needs to trust this mock
  mockidp clients [--project FILE]        print the project's clients, "ID SECRET" per line
  mockidp version                         print the version
  mockidp help                            print this help; COMMAND -h prints a command's flags
`

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func newLogger(format, level string, w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg, err := parseServe(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		printHelp(stdout)
		return err
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, cfg.LogLevel, stderr)

	if err := checkAdminToken(cfg.Addr, cfg.AdminToken); err != nil {
		return err
	}
	if err := checkListenPolicy(cfg.Addr, cfg.AdminToken, cfg.InsecureListen); err != nil {
		return err
	}
	var project *mockidp.Project
	if cfg.Project != "" {
		if project, err = mockidp.LoadProject(cfg.Project); err != nil {
			return err
		}
	} else {
		project = mockidp.DefaultProject()
	}
	if cfg.RotateEvery != 0 { // negative: never
		project.Keys.RotateEvery = mockidp.Duration(cfg.RotateEvery)
	}
	var pems [][]byte
	if cfg.KeyFiles != "" {
		if pems, err = keys.LoadPEMFiles(splitList(cfg.KeyFiles)...); err != nil {
			return fmt.Errorf("--key-files (MOCKIDP_KEY_FILES): %w", err)
		}
	}
	var tlsConfig *tls.Config
	var caPEM []byte
	if cfg.usesTLS() {
		if tlsConfig, caPEM, err = cfg.serverTLS(time.Now()); err != nil {
			return err
		}
	}
	// Listen before making the key set: a client that connects while the
	// initial key is generated waits in the accept queue instead of being
	// refused, and is answered as soon as the mock can serve a key set and a
	// token (nothing is served before then).
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	defer ln.Close() // for the error returns before Serve, which closes it itself
	srv, err := mockidp.New(mockidp.Config{
		Project:      project,
		ProjectFile:  cfg.Project,
		PublicURL:    cfg.PublicURL,
		AdminToken:   cfg.AdminToken,
		KeyPEM:       pems,
		Logger:       log,
		MaxBodyBytes: cfg.MaxBodyBytes,
		CACertPEM:    caPEM,
		CORSOrigins:  cfg.CORSOrigins,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	httpSrv := &http.Server{
		Handler:           srv,
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: cfg.ReadHeader,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	log.Info("mockidp listening", "addr", ln.Addr().String(), "project_id", srv.ProjectID(),
		"public_url", cfg.PublicURL, "control_plane_auth", cfg.AdminToken != "", "tls", tlsMode(cfg), "ca_file", cfg.TLSCAOut,
		"startup", time.Since(start).Round(time.Microsecond).String(), "version", version)

	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- httpSrv.ServeTLS(ln, "", "")
			return
		}
		errc <- httpSrv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}

// tlsMode names how serve serves, for its start-up log line.
func tlsMode(cfg *serveConfig) string {
	switch {
	case cfg.TLSCert != "":
		return "own certificate"
	case cfg.TLS:
		return "generated CA"
	}
	return "off"
}

// checkListenPolicy refuses to expose an unauthenticated control plane
// beyond loopback unless told to.
func checkListenPolicy(addr, adminToken string, insecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr (MOCKIDP_ADDR): %q is not host:port", addr)
	}
	if adminToken != "" || insecure || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("--addr (MOCKIDP_ADDR): %q is not a loopback address and no admin token is set: anyone who can reach it could drive the control plane; set --admin-token (MOCKIDP_ADMIN_TOKEN), or --insecure-listen (MOCKIDP_INSECURE_LISTEN=true) to accept that", addr)
}

// minAdminTokenRemote is the shortest admin token accepted on an address
// beyond loopback (README, "Control plane").
const minAdminTokenRemote = 16

// checkAdminToken refuses an admin token no request could match (HTTP trims
// white space around header values and carries no control characters), and
// one shorter than minAdminTokenRemote on an address beyond loopback.
func checkAdminToken(addr, token string) error {
	if token == "" {
		return nil
	}
	if err := mockidp.CheckAdminToken(token); err != nil {
		return fmt.Errorf("--admin-token (MOCKIDP_ADMIN_TOKEN): %w", err)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr (MOCKIDP_ADDR): %q is not host:port", addr)
	}
	if !isLoopback(host) && len(token) < minAdminTokenRemote {
		return fmt.Errorf("--admin-token (MOCKIDP_ADMIN_TOKEN): %d characters; on %q, beyond loopback, it must have at least %d", len(token), addr, minAdminTokenRemote)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
