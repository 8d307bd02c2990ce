package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// TestConcurrentTokensKeysAndRotation has many goroutines request tokens and
// the key set over loopback while another rotates the keys. Run it with
// -race. Every token must verify against a key set fetched after it was
// issued (a rotation never drops a key that is at most Keep rotations old,
// and the test rotates fewer times than Keep).
func TestConcurrentTokensKeysAndRotation(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	const (
		workers   = 8
		perWorker = 15
		rotations = 10 // < Keep (12): no issued token's key can leave the set
	)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		tokens []string
		errs   []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, format)
		t.Errorf(format, args...)
	}
	// Workers tick after each token; the rotator rotates on ticks, so
	// rotations interleave with issuing instead of finishing first.
	tick := make(chan struct{}, 1)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"admin-client"}, "client_secret": {"admin-secret"}}.Encode()
	for w := range workers {
		wg.Go(func() {
			c := m.Client()
			for i := range perWorker {
				if (w+i)%3 == 0 {
					r, err := send(c, http.MethodGet, m.URL+"/v2/keys/"+pid, "")
					if err != nil || r.Status != http.StatusOK {
						fail("key set: status %d, error %v", r.Status, err)
						continue
					}
					var set jose.JSONWebKeySet
					if err := json.Unmarshal(r.Body, &set); err != nil || len(set.Keys) == 0 {
						fail("key set: %d keys, error %v", len(set.Keys), err)
					}
					continue
				}
				r, err := send(c, http.MethodPost, m.TokenURL(), form, "Content-Type", "application/x-www-form-urlencoded")
				if err != nil || r.Status != http.StatusOK {
					fail("token: status %d, error %v", r.Status, err)
					continue
				}
				var tr mockidp.TokenResponse
				if err := json.Unmarshal(r.Body, &tr); err != nil {
					fail("token body: %v", err)
					continue
				}
				mu.Lock()
				tokens = append(tokens, tr.AccessToken)
				mu.Unlock()
				select {
				case tick <- struct{}{}:
				default:
				}
			}
		})
	}
	var rotator sync.WaitGroup
	rotated := 0
	rotator.Go(func() {
		for range tick {
			if rotated == rotations {
				continue
			}
			if err := m.RotateKeys(1); err != nil {
				fail("rotate: %v", err)
			}
			rotated++
		}
	})
	wg.Wait()
	close(tick)
	rotator.Wait()

	set, err := fetchKeySet(m.Client(), m.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(set.Keys), rotated+1; got != want {
		t.Errorf("published keys after %d rotations: got %d, want %d", rotated, got, want)
	}
	kids := map[string]bool{}
	for _, tok := range tokens {
		claims, err := verifyWithKeySet(tok, set)
		if err != nil {
			t.Errorf("token does not verify: %v", err)
			continue
		}
		if claims["sub"] != "admin-client" {
			t.Errorf("sub: got %v, want admin-client", claims["sub"])
		}
		h, _, _ := decodeSegments(tok)
		kids[h["kid"].(string)] = true
	}
	if want := workers * perWorker * 2 / 3; len(tokens) < want-workers {
		t.Errorf("tokens issued: got %d, want about %d", len(tokens), want)
	}
	t.Logf("%d tokens signed by %d distinct keys during %d rotations, %d errors", len(tokens), len(kids), rotated, len(errs))
	if len(kids) < 2 {
		t.Errorf("distinct signing keys: got %d, want rotations to interleave with issuing", len(kids))
	}
	if len(errs) > 0 {
		t.Errorf("errors: %s", strings.Join(errs, "; "))
	}
}
