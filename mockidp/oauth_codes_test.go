package mockidp

import (
	"errors"
	"testing"
	"time"
)

// attachF1 starts family F1 for a redeemed code.
func attachF1(authGrant) (string, error) { return "F1", nil }

func TestCodeStoreRedeem(t *testing.T) {
	t.Parallel()
	challenge := s256Challenge(testVerifier)
	grant := authGrant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", Challenge: challenge, UserID: "U1"}
	tests := []struct {
		name                     string
		client, redirect, verify string
		advance                  time.Duration
		wantErr                  error
		thenRightfulWorks        bool // the code stays usable by its client after this failure
	}{
		{name: "bound exchange", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier},
		{name: "another client", client: "spa", redirect: "http://127.0.0.1/cb", verify: testVerifier, wantErr: errAuthCodeClient, thenRightfulWorks: true},
		{name: "another redirect URI", client: "web", redirect: "http://127.0.0.1/cb2", verify: testVerifier, wantErr: errAuthCodeRedirect, thenRightfulWorks: true},
		{name: "missing verifier", client: "web", redirect: "http://127.0.0.1/cb", wantErr: errAuthCodeNeedPKCE, thenRightfulWorks: true},
		{name: "wrong verifier", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier[1:] + "A", wantErr: errAuthCodeVerifier, thenRightfulWorks: true},
		{name: "plain verifier", client: "web", redirect: "http://127.0.0.1/cb", verify: challenge, wantErr: errAuthCodeVerifier, thenRightfulWorks: true},
		{name: "just before expiry", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier, advance: AuthorizationCodeTTL - time.Second},
		{name: "at expiry", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier, advance: AuthorizationCodeTTL, wantErr: errAuthCodeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := NewClock(func() time.Time { return time.Unix(1_800_000_000, 0) })
			store := newAuthCodeStore(clock.Now)
			code, err := store.issue(grant)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.advance)
			got, _, err := store.redeem(code, tt.client, tt.redirect, tt.verify, attachF1)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && got.UserID != "U1" {
				t.Fatalf("got grant %+v", got)
			}
			if tt.thenRightfulWorks {
				if _, _, err := store.redeem(code, "web", "http://127.0.0.1/cb", testVerifier, attachF1); err != nil {
					t.Fatalf("rightful exchange after the failure: %v", err)
				}
			}
		})
	}
}

func TestCodeStoreSingleUse(t *testing.T) {
	t.Parallel()
	store := newAuthCodeStore(time.Now)
	code, _ := store.issue(authGrant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb"})
	if _, _, err := store.redeem(code, "web", "http://127.0.0.1/cb", "", attachF1); err != nil {
		t.Fatal(err)
	}
	_, family, err := store.redeem(code, "web", "http://127.0.0.1/cb", "", attachF1)
	if !errors.Is(err, errAuthCodeReused) || family != "F1" {
		t.Fatalf("second use: got %v and family %q, want errAuthCodeReused and F1", err, family)
	}
	if _, _, err := store.redeem("nope", "web", "http://127.0.0.1/cb", "", attachF1); !errors.Is(err, errAuthCodeUnknown) {
		t.Fatalf("unknown code: got %v", err)
	}
	// A verifier for a request that sent no challenge is refused (a
	// downgrade attempt).
	code2, _ := store.issue(authGrant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb"})
	if _, _, err := store.redeem(code2, "web", "http://127.0.0.1/cb", testVerifier, attachF1); !errors.Is(err, errAuthCodeNoPKCE) {
		t.Fatalf("verifier without challenge: got %v", err)
	}
}

func TestTokenLedger(t *testing.T) {
	t.Parallel()
	clock := NewClock(func() time.Time { return time.Unix(1_800_000_000, 0) })
	newLedger := func(t *testing.T) (*tokenLedger, string) {
		l := newTokenLedger(clock.Now)
		f, err := l.newFamily(authGrant{ClientID: "web", UserID: "U1"})
		if err != nil {
			t.Fatal(err)
		}
		l.issued(f, "R1", clock.Now().Add(time.Hour), "A1", clock.Now().Add(time.Minute))
		return l, f
	}
	t.Run("rotation refuses the rotated-away token and revokes the family", func(t *testing.T) {
		t.Parallel()
		l, f := newLedger(t)
		got, _, err := l.use("R1", "web", true)
		if err != nil || got != f {
			t.Fatalf("first use: %v %q", err, got)
		}
		l.issued(f, "R2", clock.Now().Add(time.Hour), "A2", clock.Now().Add(time.Minute))
		if _, _, err := l.use("R1", "web", false); !errors.Is(err, errRefreshRotated) {
			t.Fatalf("rotated-away: got %v", err)
		}
		if _, _, err := l.use("R2", "web", false); !errors.Is(err, errRefreshRevoked) {
			t.Fatalf("current after reuse: got %v, want revoked", err)
		}
		if !l.accessRevoked("A1") || !l.accessRevoked("A2") {
			t.Fatal("access tokens of the family are not revoked")
		}
	})
	t.Run("without rotation the token stays usable", func(t *testing.T) {
		t.Parallel()
		l, f := newLedger(t)
		for range 3 {
			if _, _, err := l.use("R1", "web", false); err != nil {
				t.Fatal(err)
			}
			l.issued(f, "", time.Time{}, "A", clock.Now().Add(time.Minute))
		}
	})
	t.Run("another client", func(t *testing.T) {
		t.Parallel()
		l, _ := newLedger(t)
		if _, _, err := l.use("R1", "spa", false); !errors.Is(err, errRefreshClient) {
			t.Fatalf("got %v", err)
		}
		if known, err := l.revokeToken("R1", time.Time{}, "", "spa"); !known || !errors.Is(err, errRefreshClient) {
			t.Fatalf("revoke by another client: got %v %v", known, err)
		}
	})
	t.Run("revocation of the refresh token", func(t *testing.T) {
		t.Parallel()
		l, _ := newLedger(t)
		if known, err := l.revokeToken("R1", time.Time{}, "", "web"); !known || err != nil {
			t.Fatalf("got %v %v", known, err)
		}
		if _, _, err := l.use("R1", "web", false); !errors.Is(err, errRefreshRevoked) {
			t.Fatalf("got %v", err)
		}
		if !l.accessRevoked("A1") {
			t.Fatal("access token of the revoked grant still valid")
		}
	})
	t.Run("unknown and access tokens", func(t *testing.T) {
		t.Parallel()
		l, _ := newLedger(t)
		if known, err := l.revokeToken("X", time.Time{}, "", ""); known || err != nil {
			t.Fatalf("unknown: got %v %v", known, err)
		}
		if known, err := l.revokeToken("A9", clock.Now().Add(time.Minute), "web", "web"); !known || err != nil || !l.accessRevoked("A9") {
			t.Fatalf("access token: got %v %v", known, err)
		}
	})
	t.Run("logout revokes the user's families at the client", func(t *testing.T) {
		t.Parallel()
		l, _ := newLedger(t)
		if n := l.revokeUser("U2", "web"); n != 0 {
			t.Fatalf("other user: revoked %d", n)
		}
		if n := l.revokeUser("U1", "web"); n != 1 {
			t.Fatalf("got %d families revoked, want 1", n)
		}
		if _, _, err := l.use("R1", "web", false); !errors.Is(err, errRefreshRevoked) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("expiry on the mock's clock", func(t *testing.T) {
		t.Parallel()
		c := NewClock(func() time.Time { return time.Unix(1_800_000_000, 0) })
		l := newTokenLedger(c.Now)
		f, _ := l.newFamily(authGrant{ClientID: "web"})
		l.issued(f, "R1", c.Now().Add(time.Hour), "", time.Time{})
		c.Advance(time.Hour)
		if _, _, err := l.use("R1", "web", false); !errors.Is(err, errRefreshExpired) {
			t.Fatalf("got %v", err)
		}
	})
}

// A reuse of a code that arrives while its first exchange is starting the
// family waits for it and finds the family to revoke (issue 16, defect 4:
// the family was attached in a second critical section, and a reuse in
// between revoked nothing).
func TestRedeemAttachesFamilyAtomically(t *testing.T) {
	t.Parallel()
	store := newAuthCodeStore(time.Now)
	code, _ := store.issue(authGrant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb"})
	var (
		reuseFamily string
		reuseErr    error
		done        = make(chan struct{})
	)
	_, family, err := store.redeem(code, "web", "http://127.0.0.1/cb", "", func(authGrant) (string, error) {
		go func() {
			defer close(done)
			_, reuseFamily, reuseErr = store.redeem(code, "web", "http://127.0.0.1/cb", "", attachF1)
		}()
		return "F-first", nil
	})
	<-done
	if err != nil || family != "F-first" {
		t.Fatalf("first exchange: %v %q", err, family)
	}
	if !errors.Is(reuseErr, errAuthCodeReused) || reuseFamily != "F-first" {
		t.Fatalf("reuse during the first exchange: got %v and family %q, want errAuthCodeReused and F-first", reuseErr, reuseFamily)
	}
}
