package mockidptest

import (
	"context"
	"sync"

	"github.com/descope-harness/harness/mockidp"
)

// outboxCursors remembers, per login ID, the last outbox message each
// Next call returned.
type outboxCursors struct {
	mu   sync.Mutex
	last map[string]int64
}

// NextCode returns the next OTP code the mock sent to loginID: the first
// one after the code this helper last returned for it (so a sign-in
// started before the call is found), waiting for it until ctx ends. The
// test fails when ctx ends first.
func (m *Mock) NextCode(ctx context.Context, loginID string) string {
	m.tb.Helper()
	return m.NextMessage(ctx, loginID, mockidp.OutboxOTP).Code
}

// NextLink is NextCode for magic links and enchanted links (kind
// mockidp.OutboxMagicLink or mockidp.OutboxEnchantedLink): the message
// carries the link and its token.
func (m *Mock) NextLink(ctx context.Context, loginID, kind string) mockidp.OutboxMessage {
	m.tb.Helper()
	return m.NextMessage(ctx, loginID, kind)
}

// NextMessage returns the next outbox message of loginID of kind ("" for
// any), as NextCode does.
func (m *Mock) NextMessage(ctx context.Context, loginID, kind string) mockidp.OutboxMessage {
	m.tb.Helper()
	key := kind + "\x00" + loginID
	m.cursors.mu.Lock()
	after := m.cursors.last[key]
	m.cursors.mu.Unlock()
	msg, err := m.WaitOutbox(ctx, loginID, kind, after)
	if err != nil {
		m.tb.Fatalf("mockidptest: waiting for a %s message to %q: %v", kindName(kind), loginID, err)
		return mockidp.OutboxMessage{}
	}
	m.cursors.mu.Lock()
	if m.cursors.last == nil {
		m.cursors.last = map[string]int64{}
	}
	m.cursors.last[key] = max(m.cursors.last[key], msg.ID)
	m.cursors.mu.Unlock()
	return msg
}

func kindName(kind string) string {
	if kind == "" {
		return "any"
	}
	return kind
}
