package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestDiscoveryValidation(t *testing.T) {
	t.Parallel()
	serve := func(contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
	}{
		{"text/html", serve("text/html", `{"issuer":"x","jwks_uri":"https://idp.test/k"}`), `content type "text/html"`},
		{"no content type", serve("", `{"issuer":"x","jwks_uri":"https://idp.test/k"}`), "content type"},
		{"not JSON", serve("application/json", `<html>`), "decoding discovery document"},
		{"missing issuer", serve("application/json", `{"jwks_uri":"https://idp.test/k"}`), "issuer is missing"},
		{"missing jwks_uri", serve("application/json", `{"issuer":"x"}`), "jwks_uri is missing"},
		{"jwks_uri over http to a remote host", serve("application/json", `{"issuer":"x","jwks_uri":"http://idp.test/k"}`), "plain http"},
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "status 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, idp := newServerValidator(t, Config{})
			idp.setDiscovery(tt.handler)
			_, err := v.discover(context.Background(), 3)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if got := idp.discoveryHits.Load(); got != 1 {
				t.Errorf("fetches: got %d, want 1 (a permanent failure is not retried)", got)
			}
		})
	}
}

func TestFetchRefusesRedirectToPlainHTTP(t *testing.T) {
	t.Parallel()
	redirect := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Scheme == "https" {
			http.Redirect(w, r, "http://idp.test"+r.URL.Path, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":"https://idp.test/keys"}`, testIssuer)
	}
	v, idp := newBubbleValidator(t, Config{})
	idp.setDiscovery(redirect)
	if _, err := v.discover(context.Background(), 0); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("discovery via a redirect to http: got error %v, want a plain http refusal", err)
	}

	v, idp = newBubbleValidator(t, Config{}, jwk{key: testKeys[0], kid: "k0", alg: "RS256"})
	idp.setJWKS(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Scheme == "https" {
			http.Redirect(w, r, "http://idp.test/keys", http.StatusFound)
			return
		}
		serveKeys("", jwksBody(t, jwk{key: testKeys[0], kid: "k0", alg: "RS256"}))(w, r)
	})
	if err := v.load(context.Background(), 0); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("key set via a redirect to http: got error %v, want a plain http refusal", err)
	}
	if v.Ready() {
		t.Error("got Ready after a refused key set, want not ready")
	}
}

func TestDiscoveryRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		failures    int
		status      int
		retries     int
		wantErr     bool
		wantHits    int32
		wantElapsed time.Duration
	}{
		{"succeeds after two 503s", 2, http.StatusServiceUnavailable, 4, false, 3, 200*time.Millisecond + 400*time.Millisecond},
		{"429 is retried", 1, http.StatusTooManyRequests, 4, false, 2, 200 * time.Millisecond},
		{"gives up after the retries", 100, http.StatusInternalServerError, 2, true, 3, 600 * time.Millisecond},
		{"backoff is capped at 5s", 100, http.StatusInternalServerError, 7, true, 8,
			(200 + 400 + 800 + 1600 + 3200 + 5000 + 5000) * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				v, idp := newBubbleValidator(t, Config{})
				idp.setDiscovery(func(w http.ResponseWriter, _ *http.Request) {
					if idp.discoveryHits.Load() <= int32(tt.failures) {
						w.WriteHeader(tt.status)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":"https://idp.test/keys"}`, testIssuer)
				})
				start := time.Now()
				d, err := v.discover(t.Context(), tt.retries)
				if gotErr := err != nil; gotErr != tt.wantErr {
					t.Fatalf("got error %v, want error %v", err, tt.wantErr)
				}
				if err == nil && d.Issuer != testIssuer {
					t.Errorf("issuer: got %q, want %q", d.Issuer, testIssuer)
				}
				if got := idp.discoveryHits.Load(); got != tt.wantHits {
					t.Errorf("fetches: got %d, want %d", got, tt.wantHits)
				}
				if got := time.Since(start); got != tt.wantElapsed {
					t.Errorf("time spent backing off: got %v, want %v", got, tt.wantElapsed)
				}
			})
		})
	}
}

func TestStartRetriesUntilReady(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{DiscoveryRetries: -1}, jwk{key: testKeys[0], kid: "k0", alg: "RS256"})
		idp.setDiscovery(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		v.Start(ctx)
		v.Start(ctx) // a second Start is a no-op

		time.Sleep(time.Minute)
		synctest.Wait()
		if v.Ready() {
			t.Fatal("got Ready while the provider fails, want not ready")
		}
		// Backoff 200ms, 400ms, ..., capped at 5s: a bounded number of tries in a minute.
		if got := idp.discoveryHits.Load(); got < 10 || got > 20 {
			t.Errorf("discovery attempts in a minute: got %d, want 10..20", got)
		}

		idp.setDiscovery(nil)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if !v.Ready() || v.Issuer() != testIssuer {
			t.Fatalf("after recovery: got Ready %v Issuer %q, want true and %q", v.Ready(), v.Issuer(), testIssuer)
		}
		cancel()
		synctest.Wait()
	})
}
