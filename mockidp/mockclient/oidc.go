package mockclient

import (
	"context"
	"net/http"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/wire"
)

// OAuthClient is an OAuth client of the project, the body of
// POST /_mock/clients (with redirect URIs for user logins).
type OAuthClient = project.Client

// QueuedLogin is the body of POST /_mock/logins.
type QueuedLogin = wire.QueuedLogin

// PutClient adds a client, or replaces the one with its ID
// (POST /_mock/clients).
func (c *Client) PutClient(ctx context.Context, client OAuthClient) error {
	return c.do(ctx, http.MethodPost, "/_mock/clients", client, nil)
}

// QueueLogin makes l the next login through the authorization endpoint
// (POST /_mock/logins): no login page, whatever the login_hint.
func (c *Client) QueueLogin(ctx context.Context, l QueuedLogin) error {
	return c.do(ctx, http.MethodPost, "/_mock/logins", l, nil)
}

// ClearLogins empties the login queue (DELETE /_mock/logins).
func (c *Client) ClearLogins(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_mock/logins", nil, nil)
}
