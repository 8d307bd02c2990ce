package state

import (
	"fmt"
	"testing"
)

// The session store forgets expired tokens, and ended ones past maxEnded,
// as new ones arrive: a long run of rotations stays bounded by what is live.
func TestSessionStoreStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long (fills a store to its limit): make test-long runs it")
	}
	t.Parallel()
	var st sessionStore
	st.resetLocked()
	const now = 1_000_000
	st.addLocked("expired", &Session{UserID: "U1", Expires: now - 1}, now)
	for i := range maxEnded + sweepEvery {
		jti := fmt.Sprintf("ended-%d", i)
		st.addLocked(jti, &Session{UserID: "U1", Expires: now + 3600}, now)
		st.transition(jti, RefreshRotated)
	}
	st.addLocked("live", &Session{UserID: "U1", Expires: now + 3600}, now)
	live, total := st.counts()
	if _, ok := st.get("expired"); ok {
		t.Error("an expired session survived the sweeps")
	}
	if _, ok := st.get("live"); !ok || live != 1 {
		t.Errorf("live sessions %d, want the one live session kept", live)
	}
	if total > maxEnded+sweepEvery {
		t.Errorf("%d sessions remembered, want at most %d", total, maxEnded+sweepEvery)
	}
}
