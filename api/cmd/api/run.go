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

Configuration comes from the environment. Durations are Go durations (30s,
5m) or whole seconds; a bad value stops start-up naming the variable.

  DESCOPE_PROJECT_ID        Descope project ID; required unless DISCOVERY_URL and AUDIENCE are both set
  DISCOVERY_URL             default https://api.descope.com/{DESCOPE_PROJECT_ID}/.well-known/openid-configuration;
                            https unless the host is loopback or ALLOW_INSECURE_DISCOVERY is set
  AUDIENCE                  default the project ID; a value the token's aud must contain
  HOST                      default 127.0.0.1; listen address
  PORT                      default 8000; listen port (0 picks a free one)
  LEEWAY                    default 5s; clock skew accepted for exp and nbf (0 disables, at most 5m)
  JWKS_CACHE_TTL            default 1h; key-set lifetime when the provider sends no max-age
  JWKS_MIN_TTL              default 60s; lower clamp of the key-set lifetime
  JWKS_MAX_TTL              default 24h; upper clamp of the key-set lifetime
  JWKS_REFETCH_COOLDOWN     default 5s; at most one key-set refetch per cooldown for unknown kids
  DISCOVERY_RETRIES         default 4; retries per discovery attempt on transient failures
  PROVIDER_TIMEOUT          default 10s; timeout of each discovery or key-set request
  PROVIDER_CA_FILE          default none; PEM file of CA certificates trusted for the provider besides the
                            system's (the CA of mockidp serve --tls)
  EXTRA_ISSUERS             default none; comma-separated issuers accepted besides the discovered one
  AUTH_ERROR_DETAIL         default false; put the token failure reason in 401 bodies (development only)
  VERIFIED_CACHE_SIZE       default 10000; verified tokens remembered (0 disables, else at least 2)
  ALLOW_INSECURE_DISCOVERY  default false; allow plain-http discovery to non-loopback hosts
  LOG_FORMAT                default text; text or json
  LOG_LEVEL                 default info; debug, info, warn or error
  READ_TIMEOUT              default 15s; limit for reading a whole request
  READ_HEADER_TIMEOUT       default 5s; limit for reading request headers
  WRITE_TIMEOUT             default 30s; limit for writing a response
  IDLE_TIMEOUT              default 120s; keep-alive idle limit
  MAX_HEADER_BYTES          default 65536; largest request header block (4096 to 16777216)
  MAX_TOKEN_BYTES           default 32768; longest bearer token validated (1024 to 16777216); longer: 401 token too large
  SHUTDOWN_TIMEOUT          default 15s; how long graceful shutdown waits for requests in flight
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
	validator, err := auth.New(cfg.authConfig(logger, api.AuthMetrics(registry)))
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
		// "OPTIONS *" reaches the API (a JSON 401 or 404) instead of
		// net/http's empty 200.
		DisableGeneralOptionsHandler: true,
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
func (cfg config) authConfig(logger *slog.Logger, observer auth.Observer) auth.Config {
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
		HTTPClient:        cfg.providerClient(),
		AllowInsecureHTTP: cfg.AllowInsecureDiscovery,
		Logger:            logger,
		ErrorRenderer:     api.AuthErrorRenderer(cfg.AuthErrorDetail),
		Observer:          observer,
		VerifiedCacheSize: validatorCacheSize(cfg.VerifiedCacheSize),
		MaxTokenBytes:     cfg.MaxTokenBytes,
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
