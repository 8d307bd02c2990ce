package mockclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
)

// newMock serves a default-project mock on a loopback port and returns a client of it.
func newMock(t *testing.T) *mockclient.Client {
	t.Helper()
	mock, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mock.Close)
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	return &mockclient.Client{BaseURL: srv.URL, HTTP: srv.Client()}
}

func TestMintSessionPresets(t *testing.T) {
	t.Parallel()
	c := newMock(t)
	tests := []struct {
		name          string
		req           mockclient.SessionMintRequest
		wantLive      bool // session exp after the mock's now
		wantIssSuffix string
		wantDct       string
	}{
		{name: "a login's pair", req: mockclient.SessionMintRequest{User: "alice@example.com"}, wantLive: true,
			wantIssSuffix: mockidp.DefaultProject().ID},
		{name: "with a tenant", req: mockclient.SessionMintRequest{User: "multi@example.com", Tenant: "T2MockTenantAcme000000000001"},
			wantLive: true, wantIssSuffix: mockidp.DefaultProject().ID, wantDct: "T2MockTenantAcme000000000001"},
		{name: "expired session", req: mockclient.SessionMintRequest{User: "alice@example.com", Preset: mockclient.PresetExpiredSession},
			wantIssSuffix: mockidp.DefaultProject().ID},
		{name: "wrong project", req: mockclient.SessionMintRequest{User: "alice@example.com", Preset: mockclient.PresetWrongProject},
			wantLive: true, wantIssSuffix: mockidp.OtherProjectID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.MintSession(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.SessionJWT == "" || resp.RefreshJWT == "" {
				t.Fatalf("got session %q and refresh %q, want both", resp.SessionJWT, resp.RefreshJWT)
			}
			sc, rc := resp.SessionClaims, resp.RefreshClaims
			if sc["drn"] != "DS" || rc["drn"] != "DSR" {
				t.Errorf("got drn %v and %v, want DS and DSR", sc["drn"], rc["drn"])
			}
			clock, err := c.Clock(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			exp := int64(sc["exp"].(float64))
			if live := exp > clock.Now.Unix(); live != tt.wantLive {
				t.Errorf("got session exp %d, mock now %s (live %v), want live %v", exp, clock.Now, live, tt.wantLive)
			}
			if iss, _ := sc["iss"].(string); len(iss) < len(tt.wantIssSuffix) || iss[len(iss)-len(tt.wantIssSuffix):] != tt.wantIssSuffix {
				t.Errorf("got iss %q, want it to end in %s", iss, tt.wantIssSuffix)
			}
			if dct, _ := sc["dct"].(string); dct != tt.wantDct {
				t.Errorf("got dct %q, want %q", dct, tt.wantDct)
			}
		})
	}

	_, err := c.MintSession(t.Context(), mockclient.SessionMintRequest{User: "nobody@example.com"})
	var se *mockclient.StatusError
	if !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("an unknown user: got %v, want a 404 StatusError", err)
	}
}

func TestSessionCountsAndRevoke(t *testing.T) {
	t.Parallel()
	c := newMock(t)
	ctx := t.Context()
	for range 2 {
		if _, err := c.MintSession(ctx, mockclient.SessionMintRequest{User: "alice@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.MintSession(ctx, mockclient.SessionMintRequest{User: "admin@example.com"}); err != nil {
		t.Fatal(err)
	}
	st, err := c.SessionCounts(ctx)
	if err != nil || st.Live != 3 {
		t.Fatalf("got counts %+v (%v), want 3 live", st, err)
	}
	n, err := c.RevokeSessions(ctx, "alice@example.com")
	if err != nil || n != 2 {
		t.Fatalf("got %d revoked (%v), want 2", n, err)
	}
	if st, err := c.SessionCounts(ctx); err != nil || st.Live != 1 {
		t.Errorf("after revoking: got counts %+v (%v), want 1 live", st, err)
	}
}

func TestUsersAndRoles(t *testing.T) {
	t.Parallel()
	c := newMock(t)
	ctx := t.Context()
	stored, err := c.PutUser(ctx, mockclient.User{LoginIDs: []string{"new@example.com"}, Email: "new@example.com", Roles: []string{"viewer"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.ID) != 28 || stored.ID[0] != 'U' {
		t.Errorf("got derived ID %q, want U + 27 characters", stored.ID)
	}
	got, err := c.User(ctx, "new@example.com")
	if err != nil || got.ID != stored.ID {
		t.Errorf("got user %+v (%v), want %s", got, err, stored.ID)
	}
	users, err := c.Users(ctx)
	if err != nil || !slices.ContainsFunc(users, func(u mockclient.User) bool { return u.ID == stored.ID }) {
		t.Errorf("got users %v (%v), want %s among them", users, err, stored.ID)
	}
	if err := c.DeleteUser(ctx, stored.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(ctx, stored.ID); !errors.Is(err, mockclient.ErrStatus) {
		t.Errorf("a deleted user: got %v, want a status error", err)
	}

	if err := c.PutRole(ctx, mockclient.Role{Name: "auditor", Permissions: []string{"audit.read"}}); err != nil {
		t.Fatal(err)
	}
	roles, err := c.Roles(ctx)
	if err != nil || !slices.ContainsFunc(roles, func(r mockclient.Role) bool { return r.Name == "auditor" }) {
		t.Errorf("got roles %v (%v), want auditor among them", roles, err)
	}
	if err := c.DeleteRole(ctx, "", "auditor"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, "T2MockTenantAcme000000000001", "no-such-role"); !errors.Is(err, mockclient.ErrStatus) {
		t.Errorf("an unknown tenant role: got %v, want a status error", err)
	}
}

// A test of a service's session handling gets a user's pair whose session
// JWT has already expired: the service should refresh it at the mock.
func ExampleClient_MintSession() {
	mock, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs()})
	if err != nil {
		panic(err)
	}
	defer mock.Close()
	srv := httptest.NewServer(mock)
	defer srv.Close()

	c := &mockclient.Client{BaseURL: srv.URL}
	pair, err := c.MintSession(context.Background(), mockclient.SessionMintRequest{
		User:   "multi@example.com",
		Tenant: "T2MockTenantAcme000000000001",
		Preset: mockclient.PresetExpiredSession,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(pair.UserID, pair.SessionClaims["drn"], pair.RefreshClaims["drn"], pair.SessionClaims["dct"])
	// Output:
	// U2MockUserMulti0000000000003 DS DSR T2MockTenantAcme000000000001
}
