package state

import (
	"errors"
	"fmt"
	"testing"
)

// TestSessionStoreIsBounded: the store takes at most MaxSessions refresh
// tokens; at the limit it forgets expired and ended ones first and refuses
// a new one only when every one it holds is live.
func TestSessionStoreIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long (fills a store to its limit): make test-long runs it")
	}
	t.Parallel()
	const now = 1_000_000
	var st sessionStore
	st.resetLocked()
	for i := range MaxSessions {
		if err := st.addLocked(fmt.Sprintf("jti-%d", i), &Session{UserID: "U1", Expires: now + 3600}, now); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	if err := st.addLocked("one-too-many", &Session{UserID: "U1", Expires: now + 3600}, now); !errors.Is(err, ErrSessionLimit) {
		t.Fatalf("a session past MaxSessions, all live: got %v, want ErrSessionLimit", err)
	}
	st.transition("jti-0", RefreshLoggedOut)
	st.byJTI["jti-1"].Expires = now
	if err := st.addLocked("after-a-logout", &Session{UserID: "U1", Expires: now + 3600}, now); err != nil {
		t.Fatalf("at the limit with an ended and an expired token: %v, want them forgotten and the new one kept", err)
	}
	if _, ok := st.byJTI["jti-0"]; ok {
		t.Error("the logged-out token is still held")
	}
	if got := len(st.byJTI); got != MaxSessions-1 {
		t.Errorf("held %d tokens, want %d", got, MaxSessions-1)
	}
}
