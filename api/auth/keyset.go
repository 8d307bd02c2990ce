package auth

import (
	"cmp"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// minRSABits is the smallest RSA modulus accepted from the key set.
const minRSABits = 2048

// keySet is an immutable snapshot of usable verification keys. The validator
// swaps whole snapshots through an atomic pointer, so verification never
// waits on a fetch.
type keySet struct {
	keys      map[string]verificationKey // by kid
	fetchedAt time.Time                  // when the snapshot was fetched or last confirmed (304)
	ttl       time.Duration
	etag      string
}

// verificationKey is one usable key and the algorithm it is pinned to.
type verificationKey struct {
	key *rsa.PublicKey
	alg string
}

// holds reports whether the snapshot still has key under kid: the same
// public key pinned to the same algorithm.
func (ks *keySet) holds(kid string, key verificationKey) bool {
	current, ok := ks.keys[kid]
	return ok && current.alg == key.alg && (current.key == key.key || current.key.Equal(key.key))
}

// refreshAt is when the background refresher fetches ahead of expiry.
func (ks *keySet) refreshAt() time.Time {
	return ks.fetchedAt.Add(time.Duration(float64(ks.ttl) * refreshAheadFraction))
}

// errThrottled means the key-set endpoint asked us (429 Retry-After) to wait.
var errThrottled = errors.New("key-set endpoint throttled")

// errNoUsableKeys means the key set had no RSA >= 2048 signing key with a kid.
var errNoUsableKeys = errors.New("key set has no usable keys")

// fetchKeys fetches the key set and installs it, and returns the outcome
// for Observer.KeySetFetched. On any failure the current snapshot stays in
// place (keep last good).
func (v *Validator) fetchKeys(ctx context.Context, d *discovery) (outcome string, err error) {
	if wait := v.throttleWait(); wait > 0 {
		return "throttled", fmt.Errorf("%w for another %s", errThrottled, wait)
	}

	current := v.keys.Load()
	etag := ""
	if current != nil {
		etag = current.etag
	}
	resp, err := v.get(ctx, d.JWKSURI, etag)
	if err != nil {
		return "error", fmt.Errorf("fetching key set: %w", err)
	}
	defer drainClose(resp.Body)
	now := v.cfg.Now()
	switch {
	case resp.StatusCode == http.StatusNotModified && current != nil:
		renewed := *current
		renewed.fetchedAt = now
		renewed.ttl = v.cacheTTL(resp.Header)
		v.keys.Store(&renewed)
		return "not_modified", nil
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := retryAfter(resp.Header.Get("Retry-After"), now)
		v.mu.Lock()
		v.throttledUntil = now.Add(wait)
		v.mu.Unlock()
		return "throttled", fmt.Errorf("fetching key set: %w for %s", errThrottled, wait)
	case resp.StatusCode != http.StatusOK:
		return "error", fmt.Errorf("fetching key set: status %d", resp.StatusCode)
	}

	body, err := readBody(resp.Body)
	if err != nil {
		return "error", fmt.Errorf("reading key set: %w", err)
	}
	keys, skipped, err := v.parseKeySet(body)
	if err != nil {
		return "error", err
	}
	for _, reason := range skipped {
		v.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "auth: key ignored", slog.String("reason", reason))
	}
	if len(keys) == 0 {
		return "empty", errNoUsableKeys
	}
	v.keys.Store(&keySet{keys: keys, fetchedAt: now, ttl: v.cacheTTL(resp.Header), etag: resp.Header.Get("ETag")})
	return "success", nil
}

// parseKeySet decodes a JWKS, keeping RSA public signing keys of at least
// 2048 bits that have a kid and an allowed (or absent) alg. A key without alg
// is pinned to RS256. Each key is decoded on its own so one unsupported key
// does not discard the rest; skipped describes the ignored ones.
func (v *Validator) parseKeySet(body []byte) (keys map[string]verificationKey, skipped []string, err error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("decoding key set: %w", err)
	}
	keys = make(map[string]verificationKey, len(doc.Keys))
	for i, raw := range doc.Keys {
		var jwk jose.JSONWebKey
		err := jwk.UnmarshalJSON(raw)
		pub, _ := jwk.Key.(*rsa.PublicKey)
		alg := cmp.Or(jwk.Algorithm, string(jose.RS256))
		_, dup := keys[jwk.KeyID]
		var why string
		switch {
		case err != nil:
			why = err.Error()
		case pub == nil:
			why = "not an RSA public key"
		case pub.N.BitLen() < minRSABits:
			why = fmt.Sprintf("%d-bit RSA key", pub.N.BitLen())
		case jwk.KeyID == "":
			why = "no kid"
		case jwk.Use != "" && jwk.Use != "sig":
			why = fmt.Sprintf("use %q", jwk.Use)
		case !v.cfg.allowed[alg]:
			why = fmt.Sprintf("alg %q not allowed", alg)
		case dup:
			why = "duplicate kid"
		default:
			keys[jwk.KeyID] = verificationKey{key: pub, alg: alg}
			continue
		}
		skipped = append(skipped, fmt.Sprintf("key %d (kid %q): %s", i, jwk.KeyID, why))
	}
	return keys, skipped, nil
}

// cacheTTL is the Cache-Control max-age (else CacheTTL) clamped to
// [MinCacheTTL, MaxCacheTTL].
func (v *Validator) cacheTTL(h http.Header) time.Duration {
	ttl := v.cfg.CacheTTL
	if maxAge, ok := maxAge(h.Values("Cache-Control")); ok {
		ttl = maxAge
	}
	return min(max(ttl, v.cfg.MinCacheTTL), v.cfg.MaxCacheTTL)
}

// maxAge finds the max-age directive in Cache-Control header values.
func maxAge(values []string) (time.Duration, bool) {
	for _, value := range values {
		for directive := range strings.SplitSeq(value, ",") {
			name, arg, found := strings.Cut(strings.TrimSpace(directive), "=")
			if !found || !strings.EqualFold(name, "max-age") {
				continue
			}
			secs, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64)
			if err != nil || secs < 0 {
				return 0, false
			}
			return time.Duration(min(secs, int64(1<<62/time.Second))) * time.Second, true
		}
	}
	return 0, false
}

// retryAfter parses a Retry-After value (seconds or an HTTP date), capped at
// a day; a missing, bad or non-positive value means one second.
func retryAfter(value string, now time.Time) time.Duration {
	var d time.Duration
	value = strings.TrimSpace(value)
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		d = time.Duration(max(min(secs, 24*3600), 0)) * time.Second
	} else if t, err := http.ParseTime(value); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return time.Second
	}
	return min(d, 24*time.Hour)
}
