package mockclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/descope-harness/harness/mockidp/wire"
)

// OutboxMessage is a code or link the mock sent (GET /_mock/outbox).
type OutboxMessage = wire.OutboxMessage

// Kinds of outbox messages.
const (
	OutboxOTP           = wire.OutboxOTP
	OutboxMagicLink     = wire.OutboxMagicLink
	OutboxEnchantedLink = wire.OutboxEnchantedLink
)

// Outbox lists the codes and links the mock sent, oldest first; only
// those of loginID when it is not "" (GET /_mock/outbox?login_id=).
func (c *Client) Outbox(ctx context.Context, loginID string) ([]OutboxMessage, error) {
	path := "/_mock/outbox"
	if loginID != "" {
		path += "?login_id=" + url.QueryEscape(loginID)
	}
	var resp struct {
		Messages []OutboxMessage `json:"messages"`
	}
	err := c.do(ctx, http.MethodGet, path, nil, &resp)
	return resp.Messages, err
}

// ClearOutbox empties the outbox (DELETE /_mock/outbox).
func (c *Client) ClearOutbox(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_mock/outbox", nil, nil)
}

// outboxPoll is how often WaitOutbox asks the mock again.
const outboxPoll = 20 * time.Millisecond

// WaitOutbox returns the first message to loginID of kind ("" for any)
// whose ID is above after (0 for the first), asking the mock every 20 ms
// until one is there or ctx ends. Pass the ID of the last message read as
// after to wait for the next.
func (c *Client) WaitOutbox(ctx context.Context, loginID, kind string, after int64) (OutboxMessage, error) {
	tick := time.NewTicker(outboxPoll)
	defer tick.Stop()
	for {
		msgs, err := c.Outbox(ctx, loginID)
		if err != nil {
			return OutboxMessage{}, err
		}
		for _, m := range msgs {
			if m.ID > after && (kind == "" || m.Kind == kind) {
				return m, nil
			}
		}
		select {
		case <-ctx.Done():
			return OutboxMessage{}, fmt.Errorf("waiting for a message to %q: %w", loginID, ctx.Err())
		case <-tick.C:
		}
	}
}
