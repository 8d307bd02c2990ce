package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"
)

// discovery is the part of the OIDC discovery document the validator uses.
type discovery struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// errTransient marks a failure worth retrying (network error, 5xx, 429).
var errTransient = errors.New("transient")

// discover fetches and checks the discovery document, retrying transient
// failures up to retries times with exponential backoff.
func (v *Validator) discover(ctx context.Context, retries int) (*discovery, error) {
	backoff := v.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		d, err := v.fetchDiscovery(ctx)
		v.discoveryFetched(err)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, errTransient) || attempt >= retries {
			return nil, err
		}
		v.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "auth: discovery fetch failed, retrying",
			errAttr(err), slog.Duration("backoff", backoff))
		if err := sleep(ctx, backoff); err != nil {
			return nil, fmt.Errorf("fetching discovery document: %w", err)
		}
		backoff = nextBackoff(backoff)
	}
}

func (v *Validator) fetchDiscovery(ctx context.Context) (*discovery, error) {
	resp, err := v.get(ctx, v.cfg.DiscoveryURL, "")
	if err != nil {
		return nil, fmt.Errorf("fetching discovery document: %w", err)
	}
	defer drainClose(resp.Body)
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("fetching discovery document: status %d", resp.StatusCode)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			err = fmt.Errorf("%w: %w", errTransient, err)
		}
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return nil, fmt.Errorf("discovery document: content type %q, want application/json", resp.Header.Get("Content-Type"))
	}
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading discovery document: %w", err)
	}
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("decoding discovery document: %w", err)
	}
	if d.Issuer == "" {
		return nil, errors.New("discovery document: issuer is missing")
	}
	if d.JWKSURI == "" {
		return nil, errors.New("discovery document: jwks_uri is missing")
	}
	if err := CheckURL(d.JWKSURI, v.cfg.AllowInsecureHTTP); err != nil {
		return nil, fmt.Errorf("discovery document: jwks_uri: %w", err)
	}
	return &d, nil
}

// nextBackoff doubles d up to maxRetryBackoff.
func nextBackoff(d time.Duration) time.Duration {
	return min(2*d, max(d, maxRetryBackoff))
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-time.After(d): // an unfired timer is collected once unreferenced (Go 1.23)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drainClose reads a little of body so the connection can be reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

// get sends a GET for a JSON document (If-None-Match: etag unless etag is
// ""). A failure to reach the server is errTransient. A response a redirect
// took to plain http is refused, so a redirect cannot downgrade a fetch. The
// caller closes the body with drainClose.
func (v *Validator) get(ctx context.Context, url, etag string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTransient, err)
	}
	if resp.Request != nil && resp.Request.URL != nil {
		if err := CheckURL(resp.Request.URL.String(), v.cfg.AllowInsecureHTTP); err != nil {
			drainClose(resp.Body)
			return nil, fmt.Errorf("redirected: %w", err)
		}
	}
	return resp, nil
}

// readBody reads a document body of at most maxDocumentBytes; a read that
// fails midway is errTransient.
func readBody(body io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTransient, err)
	}
	if len(b) > maxDocumentBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxDocumentBytes)
	}
	return b, nil
}
