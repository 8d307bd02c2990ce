// Package mockclient is a typed Go client for mockidp's /_mock/ control plane
// and its client-credentials token endpoint, for tests that drive a mock they
// reach over HTTP: one started by mockidptest.Start in the same test, or a
// mockidp process or container started outside it (docker compose, make run).
//
// Import it as github.com/descope-harness/harness/mockidp/mockclient. Every
// method takes a context and sends one request (RequestCount reads
// GET /_mock/requests once); a non-2xx answer is a *StatusError, and
// errors.Is(err, ErrStatus) tells it from a transport error. The request and
// state types are package wire's, shared with the server, so a body means the same in Go and on the
// wire. This repository's suites use it for both of their targets, so the
// in-process and external mocks are driven through the same HTTP surface.
package mockclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Client talks to one mock issuer. The zero value needs only BaseURL; a
// Client is safe for concurrent use when its fields are not changed.
type Client struct {
	// BaseURL is the mock's base URL, e.g. "http://127.0.0.1:8080".
	BaseURL string
	// ProjectID is the mock's project ID (default project.DefaultProjectID,
	// the project ID of the embedded default project).
	ProjectID string
	// AdminToken (optional) - sent as "Authorization: Bearer <AdminToken>" on control-plane calls.
	AdminToken string
	// HTTP (optional, default a client with a 10s timeout) - the HTTP client.
	HTTP *http.Client
}

// ErrStatus is wrapped by every error for an unexpected HTTP status (any
// status of 300 or more), so errors.Is(err, ErrStatus) tells a refusal by the
// mock from a transport failure.
var ErrStatus = errors.New("unexpected status")

// StatusError is a control-plane or token-endpoint failure: the status and
// the start of the body. Get it with errors.As.
type StatusError struct {
	// Status is the HTTP status.
	Status int
	// Body is the (truncated) response body.
	Body string
}

// Error implements error.
func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// Unwrap makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Unwrap() error { return ErrStatus }

// TimeSpec is an instant for MintRequest: an offset from the mock's now, or
// unix seconds. Build one with Offset or Unix.
type TimeSpec = wire.TimeSpec

// Offset is now+d on the mock's clock ("+90s", "-1h" on the wire).
func Offset(d time.Duration) *TimeSpec { return wire.Offset(d) }

// Unix is a fixed instant in unix seconds.
func Unix(sec int64) *TimeSpec { return &TimeSpec{Unix: &sec} }

// MintRequest is the body of POST /_mock/tokens.
type MintRequest = wire.MintRequest

// MintResponse is the minted token and what went into it.
type MintResponse = wire.MintResponse

// TokenResponse is the token endpoint's success body.
type TokenResponse = wire.TokenResponse

// ClockState is the body of GET /_mock/clock.
type ClockState = wire.ClockState

// KeysState is the body of GET /_mock/keys.
type KeysState = wire.KeysState

// RequestStats is the body of GET /_mock/requests.
type RequestStats = wire.RequestStats

// Fault is the body of POST /_mock/faults.
type Fault = wire.Fault

// JWKSCache is the body of PUT /_mock/jwks-cache.
type JWKSCache = wire.JWKSCache

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// do sends a control-plane request with a JSON body (nil for none) and
// decodes a JSON answer into out (nil to ignore it).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.AdminToken)
	}
	return c.send(req, out)
}

func (c *Client) send(req *http.Request, out any) error {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading body: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode >= 300 {
		if len(b) > 512 {
			b = b[:512]
		}
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, &StatusError{Status: resp.StatusCode, Body: string(b)})
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decoding body: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// Health checks GET /_mock/health; it needs no AdminToken.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/_mock/health", nil, nil)
}

// Reset returns the mock to its configured state (POST /_mock/reset): keys,
// clock, clients, faults, key-set cache headers, request counters.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_mock/reset", nil, nil)
}

// Keys reports the current, published and revoked key IDs (GET /_mock/keys).
func (c *Client) Keys(ctx context.Context) (KeysState, error) {
	var st KeysState
	err := c.do(ctx, http.MethodGet, "/_mock/keys", nil, &st)
	return st, err
}

// Rotate rotates the signing key n times (POST /_mock/keys/rotate) and
// returns the key set after it.
func (c *Client) Rotate(ctx context.Context, n int) (KeysState, error) {
	var st KeysState
	err := c.do(ctx, http.MethodPost, "/_mock/keys/rotate", map[string]int{"count": n}, &st)
	return st, err
}

// Revoke removes a published key from the key set at once
// (POST /_mock/keys/revoke). A validator that caches keys keeps accepting the
// key's tokens until it fetches the key set again.
func (c *Client) Revoke(ctx context.Context, kid string) (KeysState, error) {
	var st KeysState
	err := c.do(ctx, http.MethodPost, "/_mock/keys/revoke", map[string]string{"kid": kid}, &st)
	return st, err
}

// Mint signs any token the request describes (POST /_mock/tokens): a
// client's claims, overrides, times, another issuer or key.
func (c *Client) Mint(ctx context.Context, req MintRequest) (MintResponse, error) {
	var resp MintResponse
	err := c.do(ctx, http.MethodPost, "/_mock/tokens", req, &resp)
	return resp, err
}

// InjectFault adds a fault to an endpoint (POST /_mock/faults).
func (c *Client) InjectFault(ctx context.Context, f Fault) error {
	return c.do(ctx, http.MethodPost, "/_mock/faults", f, nil)
}

// ClearFaults removes the faults of one endpoint, or all when endpoint is ""
// (DELETE /_mock/faults).
func (c *Client) ClearFaults(ctx context.Context, endpoint string) error {
	path := "/_mock/faults"
	if endpoint != "" {
		path += "?endpoint=" + url.QueryEscape(endpoint)
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil)
}

// SetJWKSCache sets the key set's Cache-Control and ETag behaviour
// (PUT /_mock/jwks-cache).
func (c *Client) SetJWKSCache(ctx context.Context, cache JWKSCache) error {
	return c.do(ctx, http.MethodPut, "/_mock/jwks-cache", cache, nil)
}

// Requests returns the request counters and recent requests per endpoint
// (GET /_mock/requests).
func (c *Client) Requests(ctx context.Context) (RequestStats, error) {
	var st RequestStats
	err := c.do(ctx, http.MethodGet, "/_mock/requests", nil, &st)
	return st, err
}

// RequestCount is how many requests endpoint (discovery, jwks, token, ...) received.
func (c *Client) RequestCount(ctx context.Context, endpoint string) (int, error) {
	st, err := c.Requests(ctx)
	return st.Counts[endpoint], err
}

// ClearRequests zeroes the request counters (DELETE /_mock/requests).
func (c *Client) ClearRequests(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_mock/requests", nil, nil)
}

// Clock reports the mock's clock (GET /_mock/clock).
func (c *Client) Clock(ctx context.Context) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodGet, "/_mock/clock", nil, &st)
	return st, err
}

// SetClock moves the mock's clock to at (whole seconds), frozen there when
// frozen is true (PUT /_mock/clock).
func (c *Client) SetClock(ctx context.Context, at time.Time, frozen bool) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodPut, "/_mock/clock", map[string]any{"now": at.Unix(), "frozen": frozen}, &st)
	return st, err
}

// Advance moves the mock's clock forward by d (POST /_mock/clock/advance).
func (c *Client) Advance(ctx context.Context, d time.Duration) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodPost, "/_mock/clock/advance", map[string]string{"by": d.String()}, &st)
	return st, err
}

// DiscoveryURL is the project's OpenID configuration URL, the one a
// validator under test is pointed at.
func (c *Client) DiscoveryURL() string {
	return strings.TrimSuffix(c.BaseURL, "/") + "/" + c.projectID() + "/.well-known/openid-configuration"
}

// JWKSURL is the project's key-set URL.
func (c *Client) JWKSURL() string {
	return strings.TrimSuffix(c.BaseURL, "/") + "/" + c.projectID() + "/.well-known/jwks.json"
}

func (c *Client) projectID() string {
	if c.ProjectID != "" {
		return c.ProjectID
	}
	return project.DefaultProjectID
}

// ClientCredentials asks the token endpoint for a token (client_secret_post);
// scope may be empty for the client's default scopes.
func (c *Client) ClientCredentials(ctx context.Context, clientID, secret, scope string) (TokenResponse, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.BaseURL, "/")+"/oauth2/v1/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return TokenResponse{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tr TokenResponse
	err = c.send(req, &tr)
	return tr, err
}
