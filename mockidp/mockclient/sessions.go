package mockclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/wire"
)

// SessionMintRequest is the body of POST /_mock/sessions: a user (login ID
// or user ID), optional tenant (dct), login method, custom claims and preset.
type SessionMintRequest = wire.SessionMintRequest

// SessionMintResponse is the minted session and refresh JWT and their claims.
type SessionMintResponse = wire.SessionMintResponse

// SessionCounts is the body of GET /_mock/sessions: refresh tokens live and remembered.
type SessionCounts = wire.SessionCounts

// User is a user in the project file's shape (GET/POST /_mock/users).
type User = project.User

// Role is a role definition (GET/POST /_mock/roles).
type Role = project.Role

// Session presets of MintSession (wire.SessionPresets).
const (
	// PresetExpiredSession - the session JWT has expired, the refresh JWT is live.
	PresetExpiredSession = wire.SessionPresetExpiredSession
	// PresetExpiredRefresh - both JWTs have expired.
	PresetExpiredRefresh = wire.SessionPresetExpiredRefresh
	// PresetLoggedOut - the refresh JWT was logged out: refresh answers 401 E064001.
	PresetLoggedOut = wire.SessionPresetLoggedOut
	// PresetWrongProject - both JWTs name another project ID in iss.
	PresetWrongProject = wire.SessionPresetWrongProject
)

// MintSession issues a user's session and refresh JWT in one call, as a
// login would, or a preset's broken pair (POST /_mock/sessions).
func (c *Client) MintSession(ctx context.Context, req SessionMintRequest) (SessionMintResponse, error) {
	var resp SessionMintResponse
	err := c.do(ctx, http.MethodPost, "/_mock/sessions", req, &resp)
	return resp, err
}

// SessionCounts reports how many refresh tokens are live and remembered (GET /_mock/sessions).
func (c *Client) SessionCounts(ctx context.Context) (SessionCounts, error) {
	var st SessionCounts
	err := c.do(ctx, http.MethodGet, "/_mock/sessions", nil, &st)
	return st, err
}

// RevokeSessions ends every live session of a user (login ID or user ID),
// as Descope's management logout does, and returns how many
// (POST /_mock/sessions/revoke).
func (c *Client) RevokeSessions(ctx context.Context, user string) (int, error) {
	var resp struct {
		Revoked int `json:"revoked"`
	}
	err := c.do(ctx, http.MethodPost, "/_mock/sessions/revoke", map[string]string{"user": user}, &resp)
	return resp.Revoked, err
}

// Users lists the mock's users (GET /_mock/users).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var resp struct {
		Users []User `json:"users"`
	}
	err := c.do(ctx, http.MethodGet, "/_mock/users", nil, &resp)
	return resp.Users, err
}

// User reads one user by login ID or user ID (GET /_mock/users/{id}).
func (c *Client) User(ctx context.Context, id string) (User, error) {
	var u User
	err := c.do(ctx, http.MethodGet, "/_mock/users/"+url.PathEscape(id), nil, &u)
	return u, err
}

// PutUser adds a user, or replaces the user of its ID (POST /_mock/users),
// and returns it as stored (with its derived ID).
func (c *Client) PutUser(ctx context.Context, u User) (User, error) {
	var stored User
	err := c.do(ctx, http.MethodPost, "/_mock/users", u, &stored)
	return stored, err
}

// DeleteUser removes a user by login ID or user ID and ends its sessions
// (DELETE /_mock/users/{id}).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/_mock/users/"+url.PathEscape(id), nil, nil)
}

// Roles lists the role definitions (GET /_mock/roles).
func (c *Client) Roles(ctx context.Context) ([]Role, error) {
	var resp struct {
		Roles []Role `json:"roles"`
	}
	err := c.do(ctx, http.MethodGet, "/_mock/roles", nil, &resp)
	return resp.Roles, err
}

// PutRole adds a role, or replaces the one of its tenant and name
// (POST /_mock/roles); sessions issued afterwards carry its permissions.
func (c *Client) PutRole(ctx context.Context, r Role) error {
	return c.do(ctx, http.MethodPost, "/_mock/roles", r, nil)
}

// DeleteRole removes a role; tenantID is "" for a project-level one
// (DELETE /_mock/roles/{name}[?tenant_id=]).
func (c *Client) DeleteRole(ctx context.Context, tenantID, name string) error {
	path := "/_mock/roles/" + url.PathEscape(name)
	if tenantID != "" {
		path += "?tenant_id=" + url.QueryEscape(tenantID)
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil)
}
