// Package mockidp is a mock Descope identity provider: it serves Descope's
// discovery documents, rotating key sets, client-credentials tokens and the
// access-key exchange, plus a /_mock/ control plane that tests drive.
//
// A Server is an http.Handler. Every control-plane call also has a Go method,
// for in-process tests; see the mockidptest package for a loopback helper.
package mockidp

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/keys"
	"github.com/descope-harness/harness/mockidp/state"
)

// Config configures a Server. Zero values are safe defaults.
type Config struct {
	// Project (optional, default the embedded fixtures/project.yaml) - the
	// project, its clients and access keys.
	Project *Project
	// ProjectFile (optional) - where Project came from; PEM files named in it
	// are resolved relative to this file.
	ProjectFile string
	// PublicURL (optional, default from each request) - the base of every
	// absolute URL and issuer, e.g. "http://mockidp:8080".
	PublicURL string
	// AdminToken (optional) - when set, every /_mock/ call but health needs
	// "Authorization: Bearer <AdminToken>".
	AdminToken string
	// Now (optional, default time.Now) - the base clock; the mock's own Clock
	// runs from it and can be set, frozen and advanced.
	Now func() time.Time
	// KeyPEM (optional) - RSA private keys (PEM) that override the project's
	// pem_files: the first is the initial key, the rest serve the next rotations.
	KeyPEM [][]byte
	// Logger (optional, default discards) - structured logs.
	Logger *slog.Logger
	// Registerer (optional) - where the Prometheus metrics are registered;
	// default a private registry served at /metrics.
	Registerer prometheus.Registerer
	// MaxBodyBytes (optional, default 64 KiB) - request body limit.
	MaxBodyBytes int64
	// RecentRequests (optional, default 100) - request log entries kept per endpoint.
	RecentRequests int
	// CACertPEM (optional) - the certificate (PEM) of the CA that signed the
	// mock's HTTPS certificate, served at GET /_mock/ca.pem for clients to
	// trust (mockidp serve --tls); without it that call answers 404.
	CACertPEM []byte
	// CORSOrigins (optional, default the project's cors.allowed_origins) -
	// browser origins allowed to call the Descope surface; see CORSSettings.
	CORSOrigins []string
}

// Server is the mock issuer.
type Server struct {
	cfg     Config
	project *Project // as configured; never mutated
	clock   *Clock
	keys    *keys.Set
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	// corsPolicy is the allowed browser origins (cors.go).
	corsPolicy *corsPolicy
	// projectClient is the project ID as a public OAuth client, or zero
	// (oauth_project_client.go).
	projectClient Client

	// state is every run-time store: clients, access keys, users, sessions,
	// codes, OAuth logins and the outbox (package state).
	state *state.State

	jwksSettings atomic.Pointer[jwksSettings]
	jwks         atomic.Pointer[jwksEncoded]
	discovery    discoveryCache
	faults       faultList
	requests     *requestLog
	signer       issue.Signer

	// Flows (flow_*.go): the definitions by ID and their static files,
	// built in New; the running executions are in state.
	flowDefs  map[string]*Flow
	flowPages map[string]flowPage
}

// DefaultProject returns the embedded default project (fixtures/project.yaml).
func DefaultProject() *Project {
	p, err := ParseProject("fixtures/project.yaml", fixtures.ProjectYAML)
	if err != nil {
		panic("mockidp: embedded default project is invalid: " + err.Error())
	}
	return p
}

// New validates cfg and returns a ready Server. The caller must Close it to
// stop background key generation.
func New(cfg Config) (*Server, error) {
	if cfg.Project == nil {
		cfg.Project = DefaultProject()
	} else {
		p := cfg.Project.Clone()
		if err := p.Validate(); err != nil {
			return nil, err
		}
		cfg.Project = p
	}
	if cfg.PublicURL != "" {
		if err := CheckPublicURL(cfg.PublicURL); err != nil {
			return nil, fmt.Errorf("public URL %w", err)
		}
		cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	}
	if cfg.AdminToken != "" {
		if err := CheckAdminToken(cfg.AdminToken); err != nil {
			return nil, fmt.Errorf("admin token: %w", err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.RecentRequests <= 0 {
		cfg.RecentRequests = 100
	}
	origins := cfg.Project.CORS.AllowedOrigins
	if len(cfg.CORSOrigins) > 0 {
		c := CORSSettings{AllowedOrigins: cfg.CORSOrigins}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("CORS origins: %w", err)
		}
		origins = cfg.CORSOrigins
	}
	s := &Server{cfg: cfg, project: cfg.Project, log: cfg.Logger, corsPolicy: newCORSPolicy(origins)}
	s.clock = NewClock(cfg.Now)
	s.projectClient, _ = s.project.ProjectIDClient()

	pems := cfg.KeyPEM
	if len(pems) == 0 && len(s.project.Keys.PEMFiles) > 0 {
		paths := make([]string, len(s.project.Keys.PEMFiles))
		for i, p := range s.project.Keys.PEMFiles {
			paths[i] = resolveRelative(cfg.ProjectFile, p)
		}
		var err error
		if pems, err = keys.LoadPEMFiles(paths...); err != nil {
			field := "keys.pem_files"
			if fe, ok := errors.AsType[*keys.FileError](err); ok {
				field = fmt.Sprintf("keys.pem_files[%d]", fe.Index)
			}
			if cfg.ProjectFile != "" {
				return nil, fmt.Errorf("%s: %s: %w", cfg.ProjectFile, field, err)
			}
			return nil, fmt.Errorf("%s: %w", field, err)
		}
	}
	ks, err := keys.New(keys.Config{
		Now:         s.clock.Now,
		Keep:        s.project.Keys.Keep,
		RotateEvery: time.Duration(s.project.Keys.RotateEvery),
		PEM:         pems,
		Logger:      s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	s.keys = ks
	s.requests = newRequestLog(cfg.RecentRequests, s.clock.Now)
	s.metrics, err = newMetrics(cfg.Registerer, s)
	if err != nil {
		ks.Close()
		return nil, err
	}
	s.flowDefs, s.flowPages = buildFlowPages(s.project)
	s.state = state.New(state.Config{Project: s.project, Now: s.clock.Now})
	s.resetControls()
	s.handler = s.routes()
	return s, nil
}

// CheckPublicURL reports whether u can serve as Config.PublicURL:
// http or https, a host, and no path.
func CheckPublicURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || (p.Path != "" && p.Path != "/") ||
		p.RawQuery != "" || p.Fragment != "" || p.User != nil {
		return fmt.Errorf("%q: want http(s)://host[:port] with no path", u)
	}
	return nil
}

// Close stops background work. The Server still answers requests.
func (s *Server) Close() {
	s.keys.Close()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// CORS before anything else answers: a browser reads no answer, error
	// or not, that lacks its headers. It only reads headers and compares
	// strings, so it runs before the recover below (preflights are a
	// browser app's most frequent call).
	if s.cors(w, r) {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, errors.New("panic"))
		}
	}()
	// Two Descope SDKs build URLs like "http://host//v2/keys/P…": collapse
	// doubled slashes instead of redirecting.
	if strings.Contains(r.URL.Path, "//") {
		r.URL.Path = collapseSlashes(r.URL.Path)
		r.URL.RawPath = ""
	}
	if len(r.Header.Get("Authorization")) > MaxAuthorizationBytes {
		writeError(w, &Error{Status: http.StatusRequestHeaderFieldsTooLarge, Code: CodeTooLarge, Description: "Request header is too large",
			Message: "the Authorization header exceeds " + strconv.Itoa(MaxAuthorizationBytes) + " bytes"})
		return
	}
	s.handler.ServeHTTP(w, r)
}

// MaxAuthorizationBytes bounds the Authorization header: room for the
// largest token the mock issues (MaxTokenBytes) with "Bearer {projectId}:"
// before it and a management key after it, as Descope's auth calls send
// them; a clear 431 beats parsing megabytes.
const MaxAuthorizationBytes = MaxTokenBytes + 1<<10

func collapseSlashes(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// Clock returns the mock's controllable clock.
func (s *Server) Clock() *Clock { return s.clock }

// Now is the mock's current time; pass it as a validator's clock so both share time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the mock's clock forward by d (backward when negative); the
// clock must stay within MaxClockOffset (200 years) of real time.
func (s *Server) Advance(d time.Duration) error { return s.clock.Advance(d) }

// ProjectID returns the configured project ID.
func (s *Server) ProjectID() string { return s.project.ID }

// Keys returns the signing key set.
func (s *Server) Keys() *keys.Set { return s.keys }

// Reset returns the mock to its configured state: the clock, the keys, the
// run-time state (clients, access keys, roles, tenants and users as the
// project file has them; no sessions, codes, links, authorization codes,
// refresh-token families, queued logins or outbox messages: state.Reset),
// faults, key-set cache headers, cached documents and request counters.
func (s *Server) Reset() error {
	// The clock first: the key set restarts its rotation schedule from now.
	s.clock.Reset()
	if err := s.keys.Reset(); err != nil {
		return err
	}
	s.state.Reset()
	s.resetControls()
	return nil
}

// resetControls resets what the mock keeps besides its state: faults,
// key-set cache headers, cached documents, request counters and the
// signer's token sizes.
func (s *Server) resetControls() {
	s.jwksSettings.Store(newJWKSSettings(JWKSCache{}))
	s.discovery.clear()
	s.faults.clear("")
	s.requests.clear()
	s.signer.Reset()
}

// baseURL is the public URL, else the request's scheme and host, honouring
// X-Forwarded-Proto and X-Forwarded-Host.
func (s *Server) baseURL(r *http.Request) string {
	return joinBase(s.baseParts(r))
}

// baseParts is baseURL before joining: ("", public URL) when one is
// configured, else the request's scheme and host.
func (s *Server) baseParts(r *http.Request) (scheme, host string) {
	if s.cfg.PublicURL != "" {
		return "", s.cfg.PublicURL
	}
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v := r.Header["X-Forwarded-Proto"]; len(v) > 0 {
		if p := firstValue(v[0]); p == "http" || p == "https" {
			scheme = p
		}
	}
	host = r.Host
	if v := r.Header["X-Forwarded-Host"]; len(v) > 0 {
		if h := firstValue(v[0]); h != "" && validHost(h) {
			host = h
		}
	}
	if host == "" {
		host = "localhost"
	}
	return scheme, host
}

// joinBase joins what baseParts returns.
func joinBase(scheme, host string) string {
	if scheme == "" {
		return host
	}
	return scheme + "://" + host
}

func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

func validHost(h string) bool {
	if len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]_", c)) {
			return false
		}
	}
	return true
}

// issuer returns the iss for a form and base URL.
func (s *Server) issuer(form, base string) string {
	switch form {
	case IssuerApps:
		return base + "/v1/apps/" + s.project.ID
	case IssuerProject:
		return s.project.ID
	default:
		return base + "/" + s.project.ID
	}
}
