package api

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// stack is the API validating tokens of an in-process mock issuer.
type stack struct {
	mock      *mockidptest.Mock
	validator *auth.Validator
	server    *Server
	registry  *prometheus.Registry
}

// startStack starts a default mock and an API that trusts it. The validator
// shares the mock's clock and loads keys on its first request.
func startStack(t testing.TB) *stack {
	t.Helper()
	m := mockidptest.Start(t, mockidp.Config{})
	reg := prometheus.NewRegistry()
	v, err := auth.New(auth.Config{
		DiscoveryURL:  m.DiscoveryURL(),
		Audience:      m.ProjectID(),
		Now:           m.Now,
		HTTPClient:    m.Client(),
		Observer:      AuthMetrics(reg),
		ErrorRenderer: AuthErrorRenderer(false),
	})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	s, err := New(Config{Auth: v, ProjectID: m.ProjectID(), DiscoveryURL: m.DiscoveryURL(), Registry: reg})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &stack{mock: m, validator: v, server: s, registry: reg}
}

// payload decodes a token's claims without verifying it, for building
// expectations independently of the API.
func payload(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decoding token payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("token payload is not JSON: %v", err)
	}
	return claims
}

// kid reads a token's kid header.
func kid(t testing.TB, token string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatalf("decoding token header: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("token header is not JSON: %v", err)
	}
	return h.Kid
}

// mustJSON encodes v.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	buf, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	return string(buf)
}

// mintPreset asks for one of the mock's classic bad tokens.
func mintPreset(clientID, preset string) mockidp.MintRequest {
	return mockidp.MintRequest{ClientID: clientID, Scope: "openid", Preset: preset}
}
