package state

import (
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// testVerifier is RFC 7636 appendix B's code verifier.
const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// testClock is a clock the test moves; it starts at a fixed instant.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Unix(1_800_000_000, 0)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestState is a State on clock whose project holds users U1 (login ID
// u1@example.com, a test user) and U2, and the test-user limit 10.
func newTestState(t testing.TB, clock *testClock) *State {
	t.Helper()
	p := &project.Project{ID: "P2MockTest", Directory: project.Directory{
		Sessions: project.SessionSettings{TestUserLimit: 10},
		Users: []User{
			{ID: "U1", LoginIDs: []string{"u1@example.com"}, Email: "u1@example.com", Test: true},
			{ID: "U2", LoginIDs: []string{"u2@example.com"}, Email: "u2@example.com"},
		},
	}}
	return New(Config{Project: p, Now: clock.Now})
}

// redeemed is a family started by exchanging a fresh code of U1 at client
// web, with refresh token R1 and access token A1 recorded.
func redeemed(t *testing.T, st *State, clock *testClock) string {
	t.Helper()
	code, err := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	_, f, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", "")
	if err != nil {
		t.Fatal(err)
	}
	st.RecordTokens(f, "R1", clock.Now().Add(time.Hour), "A1", clock.Now().Add(time.Minute))
	return f
}
