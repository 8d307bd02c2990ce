package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/descope-harness/harness/api"
	"github.com/descope-harness/harness/api/auth"
)

// run is the whole program: it dispatches the subcommand in args.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if len(args) > 0 {
			return fmt.Errorf("serve: unexpected arguments %q", args)
		}
		cfg, err := loadConfig(getenv)
		if err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		return serve(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout)
	case "version", "-version", "--version":
		_, err := fmt.Fprintln(stdout, version)
		return err
	case "help", "-h", "-help", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	default:
		return fmt.Errorf("unknown command %q (want serve, healthcheck, version or help)", cmd)
	}
}

const usage = `usage: api [serve | healthcheck [ready] | version | help]
Configuration comes from the environment (DESCOPE_PROJECT_ID, DISCOVERY_URL,
AUDIENCE, HOST, PORT, ...); see the README (Configuration, api).
`

// newLogger builds the process logger; every record made with a request's
// context carries its request ID.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(api.LogHandler(h))
}

// serve runs the API until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, cfg config, stdout io.Writer) error {
	logger := newLogger(cfg, stdout)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	validator, err := auth.New(cfg.authConfig(logger, auth.NewMetrics(registry)))
	if err != nil {
		return fmt.Errorf("token validation: %w", err)
	}
	handler, err := api.New(api.Config{
		Auth:         validator,
		ProjectID:    cfg.ProjectID,
		DiscoveryURL: cfg.DiscoveryURL,
		Logger:       logger,
		Registry:     registry,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr())
	if err != nil {
		return fmt.Errorf("listening on %s (HOST, PORT): %w", cfg.addr(), err)
	}
	srv := &http.Server{
		Handler:           api.LimitHeaders(cfg.MaxHeaderBytes, handler),
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// Twice the limit: blocks between the two get LimitHeaders' JSON 431,
		// larger ones net/http's plain-text 431.
		MaxHeaderBytes: 2 * cfg.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	// The validator keeps trying the provider in the background: until it
	// has keys, protected paths answer 503 and /ready does too.
	authCtx, stopAuth := context.WithCancel(ctx)
	defer stopAuth()
	validator.Start(authCtx)

	logger.Info("api listening", "addr", "http://"+ln.Addr().String(), "version", version,
		"discovery_url", cfg.DiscoveryURL, "audience", cfg.Audience)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("api shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	logger.Info("api stopped")
	return nil
}

// authConfig is the validator's configuration.
func (cfg config) authConfig(logger *slog.Logger, metrics *auth.Metrics) auth.Config {
	return auth.Config{
		DiscoveryURL:      cfg.DiscoveryURL,
		Audience:          cfg.Audience,
		ExtraIssuers:      cfg.ExtraIssuers,
		Leeway:            cfg.Leeway,
		NoLeeway:          cfg.Leeway == 0,
		CacheTTL:          cfg.JWKSCacheTTL,
		MinCacheTTL:       cfg.JWKSMinTTL,
		MaxCacheTTL:       cfg.JWKSMaxTTL,
		RefetchCooldown:   cfg.JWKSRefetchCooldown,
		DiscoveryRetries:  retries(cfg.DiscoveryRetries),
		HTTPClient:        &http.Client{Timeout: cfg.ProviderTimeout},
		AllowInsecureHTTP: cfg.AllowInsecureDiscovery,
		Logger:            logger,
		ErrorDetail:       cfg.AuthErrorDetail,
		Metrics:           metrics,
		VerifiedCacheSize: validatorCacheSize(cfg.VerifiedCacheSize),
	}
}

// retries maps our "0 means none" to auth's "negative means none".
func retries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// healthcheckTimeout bounds the healthcheck request.
const healthcheckTimeout = 5 * time.Second
