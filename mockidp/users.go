package mockidp

import (
	"context"

	"github.com/descope-harness/harness/mockidp/state"
)

// Authorization is what a user's session grants, computed from the role
// definitions as Descope does: the project-level role names and the union of
// their permissions, and per tenant the role names there and their permissions.
type Authorization = state.Authorization

// LookupUser finds a user by login ID, else by user ID, in the mock's
// current directory (the project file's users plus those added at run time).
func (s *Server) LookupUser(loginOrUserID string) (User, bool) {
	return s.state.LookupUser(loginOrUserID)
}

// Users lists the current users, sorted by user ID.
func (s *Server) Users() []User { return s.state.Users() }

// PutUser adds a user, or replaces the user of the same ID, and returns it
// as stored (with its derived ID). Its role and tenant names must exist.
func (s *Server) PutUser(u User) (User, error) {
	stored, _, err := s.state.PutUser(u, true)
	if err != nil {
		return User{}, controlError(err)
	}
	return stored, nil
}

// RemoveUser deletes a user (by login ID or user ID) and ends everything it
// holds, in one step: sessions, OAuth refresh-token families and their
// access tokens, codes, links, outbox messages and queued logins
// (state.RemoveUser).
func (s *Server) RemoveUser(loginOrUserID string) error {
	if _, err := s.state.RemoveUser(loginOrUserID); err != nil {
		return mockNotFound("user %q not found", truncate(loginOrUserID, 64))
	}
	return nil
}

// UserAuthorization is what a session of u grants under the current role
// definitions: roles, permissions and per-tenant grants.
func (s *Server) UserAuthorization(u User) Authorization { return s.state.Authorization(u) }

// UserClaims are the claims about u that every token of u's carries: sub,
// roles, permissions, tenants, dct (when tenant is given or u belongs to one
// tenant only, as Descope sets it) and tu:true for a test user. Time, issuer,
// audience and drn claims are the caller's.
func (s *Server) UserClaims(u User, tenant string) Claims {
	a := s.state.Authorization(u)
	c := make(Claims, 12)
	c["sub"] = u.ID
	if len(a.Roles) > 0 {
		c["roles"] = a.Roles
	}
	if len(a.Permissions) > 0 {
		c["permissions"] = a.Permissions
	}
	if len(a.Tenants) > 0 {
		c["tenants"] = a.Tenants
	}
	if tenant == "" && len(u.Tenants) == 1 {
		tenant = u.Tenants[0].TenantID
	}
	if tenant != "" {
		c["dct"] = tenant
	}
	if u.Test {
		c["tu"] = true
	}
	return c
}

// Outbox returns the codes and links the mock sent, oldest first; only
// those of loginID when it is not "". Reset and ClearOutbox empty it.
func (s *Server) Outbox(loginID string) []OutboxMessage { return s.state.Outbox(loginID, 0) }

// ClearOutbox empties the outbox.
func (s *Server) ClearOutbox() { s.state.ClearOutbox() }

// WaitOutbox returns the first message for loginID ("" for any) of kind
// ("" for any) with an ID above after, waiting until one is sent or ctx
// ends. Pass the last ID read as after to read the next one.
func (s *Server) WaitOutbox(ctx context.Context, loginID, kind string, after int64) (OutboxMessage, error) {
	return s.state.WaitOutbox(ctx, loginID, kind, after)
}
