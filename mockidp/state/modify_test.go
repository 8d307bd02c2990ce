package state

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// Concurrent changes of one user all land (each is retried on the user as
// the others left it), and a change racing with the user's removal never
// brings the user back.
func TestModifyUserRace(t *testing.T) {
	t.Parallel()
	const n = 16
	roles := make([]project.Role, n)
	for i := range roles {
		roles[i] = project.Role{Name: "r" + strconv.Itoa(i)}
	}
	p := &project.Project{ID: "P2MockTest", Directory: project.Directory{
		Roles: roles, Sessions: project.SessionSettings{TestUserLimit: 10},
		Users: []User{{ID: "U1", LoginIDs: []string{"u1@example.com"}}, {ID: "U2", LoginIDs: []string{"u2@example.com"}}},
	}}
	st := New(Config{Project: p, Now: newTestClock().Now})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := st.ModifyUser("U1", func(u *User) error {
				u.Roles = append(u.Roles, roles[i].Name)
				return nil
			}); err != nil {
				t.Errorf("change %d: %v", i, err)
			}
		})
	}
	// U2 is changed by many and removed at once.
	for i := range n {
		wg.Go(func() {
			_, err := st.ModifyUser("U2", func(u *User) error {
				u.Name = "name " + strconv.Itoa(i)
				return nil
			})
			if err != nil && !errors.Is(err, ErrUserNotFound) {
				t.Errorf("change of U2: %v", err)
			}
		})
	}
	wg.Go(func() {
		if _, err := st.RemoveUser("U2"); err != nil {
			t.Errorf("remove U2: %v", err)
		}
	})
	wg.Wait()
	u, _ := st.UserByID("U1")
	if len(u.Roles) != n {
		t.Errorf("U1 holds %d roles after %d concurrent additions, want all: %v", len(u.Roles), n, u.Roles)
	}
	for _, r := range roles {
		if !slices.Contains(u.Roles, r.Name) {
			t.Errorf("role %s was lost", r.Name)
		}
	}
	if _, ok := st.UserByID("U2"); ok {
		t.Error("U2 came back after its removal")
	}
}

// Disabling a user ends its Descope sessions and OAuth families in the
// same step; its codes then issue nothing.
func TestModifyUserDisablingEndsSessions(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	st := newTestState(t, clock)
	redeemed(t, st, clock)
	if err := st.AddSession("J1", Session{UserID: "U1", Expires: clock.Now().Add(time.Hour).Unix()}); err != nil {
		t.Fatal(err)
	}
	code, _ := st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	if _, err := st.ModifyUser("u1@example.com", func(u *User) error { u.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Session("J1"); s.State != RefreshLoggedOut {
		t.Errorf("the session after disabling: state %d, want logged out", s.State)
	}
	if _, _, _, err := st.UseRefresh("R1", "web", false); !errors.Is(err, ErrRefreshRevoked) {
		t.Errorf("the family after disabling: %v, want ErrRefreshRevoked", err)
	}
	if _, _, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", ""); !errors.Is(err, ErrAuthCodeUnknown) {
		t.Errorf("a code issued before disabling: %v, want ErrAuthCodeUnknown (dropped)", err)
	}
	code, _ = st.IssueCode(Grant{ClientID: "web", RedirectURI: "http://127.0.0.1/cb", UserID: "U1"})
	if _, _, _, err := st.RedeemCode(code, "web", "http://127.0.0.1/cb", ""); !errors.Is(err, ErrAuthCodeDisabled) {
		t.Errorf("a code of the disabled user: %v, want ErrAuthCodeDisabled", err)
	}
}
