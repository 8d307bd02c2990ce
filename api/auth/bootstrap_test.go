package auth

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TestBootstrapShared: requests that arrive while Validate's first load of
// the keys is in flight wait for it and are served, instead of being
// refused as unavailable; the provider is asked once.
func TestBootstrapShared(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		idp.setDiscovery(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(time.Second) // a slow provider: the other requests arrive meanwhile
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"issuer":"` + testIssuer + `","jwks_uri":"https://idp.test/keys"}`))
		})
		tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(time.Now()))
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * 100 * time.Millisecond)
				if _, err := v.Validate(context.Background(), tok); err != nil {
					t.Errorf("request %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if got := idp.discoveryHits.Load(); got != 1 {
			t.Errorf("discovery fetches: got %d, want 1", got)
		}
		if got := idp.jwksHits.Load(); got != 1 {
			t.Errorf("key-set fetches: got %d, want 1", got)
		}
	})
}
