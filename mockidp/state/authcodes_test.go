package state

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRedeemCode(t *testing.T) {
	t.Parallel()
	challenge := S256Challenge(testVerifier)
	grant := Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", Challenge: challenge, UserID: "U1"}
	tests := []struct {
		name                     string
		client, redirect, verify string
		advance                  time.Duration
		wantErr                  error
		thenRightfulWorks        bool // the code stays usable by its client after this failure
	}{
		{name: "bound exchange", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier},
		{name: "another client", client: "spa", redirect: "http://127.0.0.1/cb", verify: testVerifier, wantErr: ErrAuthCodeClient, thenRightfulWorks: true},
		{name: "another redirect URI", client: "web", redirect: "http://127.0.0.1/cb2", verify: testVerifier, wantErr: ErrAuthCodeRedirect, thenRightfulWorks: true},
		{name: "missing verifier", client: "web", redirect: "http://127.0.0.1/cb", wantErr: ErrAuthCodeNeedPKCE, thenRightfulWorks: true},
		{name: "wrong verifier", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier[1:] + "A", wantErr: ErrAuthCodeVerifier, thenRightfulWorks: true},
		{name: "plain verifier", client: "web", redirect: "http://127.0.0.1/cb", verify: challenge, wantErr: ErrAuthCodeVerifier, thenRightfulWorks: true},
		{name: "just before expiry", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier, advance: AuthorizationCodeTTL - time.Second},
		{name: "at expiry", client: "web", redirect: "http://127.0.0.1/cb", verify: testVerifier, advance: AuthorizationCodeTTL, wantErr: ErrAuthCodeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock()
			st := newTestState(t, clock)
			code, err := st.IssueCode(grant)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.advance)
			got, _, u, err := st.RedeemCode(code, tt.client, tt.redirect, tt.verify)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.UserID != "U1" || u.ID != "U1") {
				t.Fatalf("got grant %+v and user %q", got, u.ID)
			}
			if tt.thenRightfulWorks {
				if _, _, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", testVerifier); err != nil {
					t.Fatalf("rightful exchange after the failure: %v", err)
				}
			}
		})
	}
}

func TestRedeemCodeSingleUse(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	st := newTestState(t, clock)
	code, _ := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	_, family, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", "")
	if err != nil {
		t.Fatal(err)
	}
	st.RecordTokens(family, "R1", clock.Now().Add(time.Hour), "A1", clock.Now().Add(time.Minute))
	if _, _, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", ""); !errors.Is(err, ErrAuthCodeReused) {
		t.Fatalf("second use: got %v, want ErrAuthCodeReused", err)
	}
	if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshRevoked) || !st.AccessRevoked("A1") {
		t.Fatalf("the first exchange's tokens after the reuse: refresh %v, access revoked %v; want both revoked", err, st.AccessRevoked("A1"))
	}
	if _, _, _, err := st.RedeemCode("nope", "web", "http://127.0.0.1/cb", ""); !errors.Is(err, ErrAuthCodeUnknown) {
		t.Fatalf("unknown code: got %v", err)
	}
	// A verifier for a request that sent no challenge is refused (a
	// downgrade attempt).
	code2, _ := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	if _, _, _, err := st.RedeemCode(code2, "web", "http://127.0.0.1/cb", testVerifier); !errors.Is(err, ErrAuthCodeNoPKCE) {
		t.Fatalf("verifier without challenge: got %v", err)
	}
	// Another client's reuse revokes nothing (issue 16, defect 9).
	code3, _ := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	_, f3, _, _ := st.RedeemCode(code3, "web", "http://127.0.0.1/cb", "")
	st.RecordTokens(f3, "R3", clock.Now().Add(time.Hour), "", time.Time{})
	if _, _, _, err := st.RedeemCode(code3, "spa", "http://127.0.0.1/cb", ""); !errors.Is(err, ErrAuthCodeClient) {
		t.Fatalf("another client's reuse: got %v, want ErrAuthCodeClient", err)
	}
	if _, _, _, err := st.UseRefresh("R3", "web", false); err != nil {
		t.Fatalf("the family after another client's reuse: %v, want it live", err)
	}
}

func TestRefreshFamilies(t *testing.T) {
	t.Parallel()
	t.Run("rotation refuses the rotated-away token and revokes the family", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		f := redeemed(t, st, clock)
		got, _, u, err := st.UseRefresh("R1", "web", true)
		if err != nil || got != f || u.ID != "U1" {
			t.Fatalf("first use: %v %q %q", err, got, u.ID)
		}
		st.RecordTokens(f, "R2", clock.Now().Add(time.Hour), "A2", clock.Now().Add(time.Minute))
		if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshRotated) {
			t.Fatalf("rotated-away: got %v", err)
		}
		if _, _, _, err := st.UseRefresh("R2", "web", false); !errors.Is(err, ErrRefreshRevoked) {
			t.Fatalf("current after reuse: got %v, want revoked", err)
		}
		if !st.AccessRevoked("A1") || !st.AccessRevoked("A2") {
			t.Fatal("access tokens of the family are not revoked")
		}
	})
	t.Run("without rotation the token stays usable", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		f := redeemed(t, st, clock)
		for range 3 {
			if _, _, _, err := st.UseRefresh("R1", "web", false); err != nil {
				t.Fatal(err)
			}
			st.RecordTokens(f, "", time.Time{}, "A", clock.Now().Add(time.Minute))
		}
	})
	t.Run("another client", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		redeemed(t, st, clock)
		if _, _, _, err := st.UseRefresh("R1", "spa", false); !errors.Is(err, ErrRefreshClient) {
			t.Fatalf("got %v", err)
		}
		if known, err := st.RevokeToken("R1", time.Time{}, "", "spa"); !known || !errors.Is(err, ErrRefreshClient) {
			t.Fatalf("revoke by another client: got %v %v", known, err)
		}
	})
	t.Run("revocation of the refresh token", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		redeemed(t, st, clock)
		if known, err := st.RevokeToken("R1", time.Time{}, "", "web"); !known || err != nil {
			t.Fatalf("got %v %v", known, err)
		}
		if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshRevoked) {
			t.Fatalf("got %v", err)
		}
		if !st.AccessRevoked("A1") {
			t.Fatal("access token of the revoked grant still valid")
		}
	})
	t.Run("unknown and access tokens", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		redeemed(t, st, clock)
		if known, err := st.RevokeToken("X", time.Time{}, "", ""); known || err != nil {
			t.Fatalf("unknown: got %v %v", known, err)
		}
		if known, err := st.RevokeToken("A9", clock.Now().Add(time.Minute), "web", "web"); !known || err != nil || !st.AccessRevoked("A9") {
			t.Fatalf("access token: got %v %v", known, err)
		}
	})
	t.Run("logout revokes the user's families at the client", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		redeemed(t, st, clock)
		if n := st.EndClientSessions("U2", "web"); n != 0 {
			t.Fatalf("other user: revoked %d", n)
		}
		if n := st.EndClientSessions("U1", "spa"); n != 0 {
			t.Fatalf("other client: revoked %d", n)
		}
		if n := st.EndClientSessions("U1", "web"); n != 1 {
			t.Fatalf("got %d families revoked, want 1", n)
		}
		if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshRevoked) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("expiry on the mock's clock", func(t *testing.T) {
		t.Parallel()
		clock := newTestClock()
		st := newTestState(t, clock)
		redeemed(t, st, clock)
		clock.Advance(time.Hour)
		if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshExpired) {
			t.Fatalf("got %v", err)
		}
	})
}

// Many exchanges of one code at once (issue 16, defect 4): exactly one
// wins, every other is a reuse, and the reuses revoke the winner's family
// whatever the interleaving (the family is started and the code marked
// used in one step).
func TestRedeemCodeRace(t *testing.T) {
	t.Parallel()
	for round := range 20 {
		clock := newTestClock()
		st := newTestState(t, clock)
		code, _ := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
		const n = 16
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			wins    int
			reuses  int
			winners []string
		)
		for range n {
			wg.Go(func() {
				_, f, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
					winners = append(winners, f)
				case errors.Is(err, ErrAuthCodeReused):
					reuses++
				default:
					t.Errorf("round %d: %v", round, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || reuses != n-1 {
			t.Fatalf("round %d: %d exchanges won and %d were reuses, want 1 and %d", round, wins, reuses, n-1)
		}
		if families, live, _, _ := st.FamilyStats(); families != 1 || live != 0 {
			t.Fatalf("round %d: %d families, %d live; want the winner's, revoked by the reuses", round, families, live)
		}
	}
}

// Many refreshes with one rotating token at once: exactly one wins, and
// every other is a reuse of a rotated-away token.
func TestUseRefreshRace(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	st := newTestState(t, clock)
	redeemed(t, st, clock)
	const n = 16
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		wins, rotated  int
		revoked, other int
	)
	for range n {
		wg.Go(func() {
			_, _, _, err := st.UseRefresh("R1", "web", true)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrRefreshRotated):
				rotated++
			case errors.Is(err, ErrRefreshRevoked):
				revoked++
			default:
				other++
			}
		})
	}
	wg.Wait()
	if wins != 1 || rotated == 0 || rotated+revoked != n-1 || other != 0 {
		t.Fatalf("%d won, %d rotated-away reuses, %d after the revocation, %d other; want 1 winner and %d reuses", wins, rotated, revoked, other, n-1)
	}
}
