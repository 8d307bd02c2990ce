package state

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// Issue 16, defect 5: a flood of authorize + exchange pairs from a public
// client (no secret) leaves the stores usable: used codes and revoked
// families are forgotten when room is needed, and what is held afterwards
// is bounded. Counts and bytes are measured after the flood, not time.
func TestFloodOfCodeExchangesLeavesRoom(t *testing.T) {
	if testing.Short() {
		t.Skip("long (fills a store to its limit): make test-long runs it")
	}
	t.Parallel()
	clock := newTestClock()
	st := newTestState(t, clock)
	grant := Grant{ClientID: "spa", RedirectURI: "http://127.0.0.1/cb", UserID: "U1", Scopes: []string{"openid"}}
	refreshExp, accessExp := clock.Now().Add(672*time.Hour), clock.Now().Add(10*time.Minute)
	const pairs = 100_000
	exchanged := 0
	for i := range pairs {
		code, err := st.IssueCode(grant)
		if err != nil {
			t.Fatalf("pair %d: authorize: %v", i, err)
		}
		_, family, _, err := st.RedeemCode(code, "spa", grant.RedirectURI, "")
		if errors.Is(err, ErrRefreshFull) {
			continue // every family is live: the limit holds, and is named
		}
		if err != nil {
			t.Fatalf("pair %d: exchange: %v", i, err)
		}
		n := strconv.Itoa(i)
		st.RecordTokens(family, "R"+n, refreshExp, "A"+n, accessExp)
		exchanged++
	}
	// Used codes were forgotten as room was needed; the codes whose
	// exchange found the families full are still pending.
	if _, err := st.IssueCode(grant); err != nil {
		t.Fatalf("authorize after the flood: %v, want a code (used codes are forgotten when room is needed)", err)
	}
	if n, b := st.CodeStats(); n > pairs-exchanged+1 || b > MaxAuthorizationCodeBytes {
		t.Errorf("after the flood the code store holds %d codes, %d bytes; want at most the %d unexchanged", n, b, pairs-exchanged+1)
	}
	families, live, bytes, _ := st.FamilyStats()
	if families != exchanged || live != exchanged || bytes > MaxRefreshFamilyBytes || families > MaxRefreshFamilies {
		t.Errorf("families %d (live %d), %d bytes; want %d, all live, within %d bytes and %d families",
			families, live, bytes, exchanged, MaxRefreshFamilyBytes, MaxRefreshFamilies)
	}
	if exchanged < pairs/2 {
		t.Errorf("only %d of %d exchanges found room: a family is estimated at %d bytes", exchanged, pairs, bytes/max(families, 1))
	}
	// The user logs out: the revoked families make room, and their
	// unexpired access tokens stay revoked.
	if n := st.EndSessions("U1"); n != exchanged {
		t.Fatalf("logout revoked %d families, want %d", n, exchanged)
	}
	code, err := st.IssueCode(grant)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := st.RedeemCode(code, "spa", grant.RedirectURI, ""); err != nil {
		t.Fatalf("a family after the logout: %v, want room (revoked families are forgotten)", err)
	}
	families, live, bytes, revoked := st.FamilyStats()
	if families != 1 || live != 1 || bytes > 1<<10 {
		t.Errorf("after the logout: %d families (live %d), %d bytes; want the new one only", families, live, bytes)
	}
	if revoked != exchanged || !st.AccessRevoked("A0") || !st.AccessRevoked("A"+strconv.Itoa(exchanged-1)) {
		t.Errorf("revoked access tokens: %d, want all %d of the forgotten families still revoked", revoked, exchanged)
	}
	if _, _, _, err := st.UseRefresh("R5", "spa", false); err == nil {
		t.Error("a refresh token of a forgotten family still refreshes")
	}
}

// Defect 6: a family's list of access tokens is pruned of expired ones, and
// refused (ErrFamilyFull) past MaxFamilyTokens unexpired ones; its list of
// rotated-away refresh tokens keeps the newest MaxFamilyTokens.
func TestFamilyTokenListsAreBounded(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	st := newTestState(t, clock)
	start := func(user string) string {
		code, err := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: user})
		if err != nil {
			t.Fatal(err)
		}
		_, f, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", "")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := start("U1")
	st.RecordTokens(f, "R", clock.Now().Add(1000*time.Hour), "A", clock.Now().Add(time.Minute))
	for i := range 10 * MaxFamilyTokens { // refreshes a minute apart: one access token alive at a time
		if _, _, _, err := st.UseRefresh("R", "web", false); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		st.RecordTokens(f, "", time.Time{}, "A"+strconv.Itoa(i), clock.Now().Add(time.Minute))
		clock.Advance(time.Minute)
	}
	if n := len(st.families.families[f].accesses); n > 2 {
		t.Errorf("the family remembers %d access tokens, want the unexpired ones only", n)
	}
	for i := range MaxFamilyTokens { // refreshes at one instant: all alive
		if _, _, _, err := st.UseRefresh("R", "web", false); err != nil {
			if !errors.Is(err, ErrFamilyFull) || i < MaxFamilyTokens-2 {
				t.Fatalf("refresh %d at one instant: %v", i, err)
			}
			break
		}
		st.RecordTokens(f, "", time.Time{}, "B"+strconv.Itoa(i), clock.Now().Add(time.Minute))
	}
	if _, _, _, err := st.UseRefresh("R", "web", false); !errors.Is(err, ErrFamilyFull) {
		t.Errorf("refresh past MaxFamilyTokens unexpired access tokens: got %v, want ErrFamilyFull", err)
	}
	// Rotation: the newest MaxFamilyTokens refresh tokens are remembered.
	g := start("U2")
	st.RecordTokens(g, "S0", clock.Now().Add(time.Hour), "", time.Time{})
	for i := 1; i <= 3*MaxFamilyTokens; i++ {
		if _, _, _, err := st.UseRefresh("S"+strconv.Itoa(i-1), "web", true); err != nil {
			t.Fatalf("rotation %d: %v", i, err)
		}
		st.RecordTokens(g, "S"+strconv.Itoa(i), clock.Now().Add(time.Hour), "", time.Time{})
	}
	if n := len(st.families.families[g].members); n != MaxFamilyTokens {
		t.Errorf("the family remembers %d refresh tokens, want %d", n, MaxFamilyTokens)
	}
}

// Defect 6: the session and code stores count bytes, not only objects.
func TestStoresCountBytes(t *testing.T) {
	t.Parallel()
	var st sessionStore
	st.resetLocked()
	big := MaxSessionBytes/4 + 1
	for i := range 3 {
		if err := st.addLocked("J"+strconv.Itoa(i), &Session{UserID: "U1", Expires: 2e9, Size: big}, 1e9); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	if err := st.addLocked("J3", &Session{UserID: "U1", Expires: 2e9, Size: big}, 1e9); !errors.Is(err, ErrSessionLimit) {
		t.Errorf("a session past MaxSessionBytes: got %v, want ErrSessionLimit", err)
	}
	st.logoutUsersLocked(map[string]bool{"U1": true})
	if err := st.addLocked("J4", &Session{UserID: "U1", Expires: 2e9, Size: big}, 1e9); err != nil {
		t.Errorf("a session after the others ended: %v, want room", err)
	}

	var cs codeStore
	cs.resetLocked()
	c := PendingCode{Kind: CodeOTP, UserID: "U1", LoginID: "a@example.com", Method: "email", Expires: 2e9, Size: MaxPendingCodeBytes/4 + 1}
	for i := range 3 {
		c.LoginID = "user" + strconv.Itoa(i)
		if _, err := cs.addLocked(c, 1e9); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	c.LoginID = "user3"
	if _, err := cs.addLocked(c, 1e9); !errors.Is(err, ErrPendingBytes) {
		t.Errorf("a code past MaxPendingCodeBytes: got %v, want ErrPendingBytes", err)
	}
	if _, err := cs.takeOTP("email", "user0", "wrong0", 1e9); !errors.Is(err, ErrCodeWrong) {
		t.Fatalf("wrong code: %v", err)
	}
	cs.dropUsersLocked(map[string]bool{"U1": true})
	if n, b := cs.count, cs.bytes; n != 0 || b != 0 {
		t.Errorf("after dropping the user: %d codes, %d bytes; want none", n, b)
	}
}
