package state

import (
	"context"
	"sync"
	"time"

	"github.com/descope-harness/harness/mockidp/wire"
)

// OutboxMessage is a code or link the mock "sent".
type OutboxMessage = wire.OutboxMessage

// outbox keeps the messages the mock sent, oldest first.
type outbox struct {
	mu       sync.Mutex
	messages []outboxEntry
	bytes    int
	nextID   int64
	// arrived is closed and replaced whenever a message is added, waking
	// every waiter.
	arrived chan struct{}
}

type outboxEntry struct {
	msg     OutboxMessage
	userID  string // "" for a sign-up whose user does not exist yet
	expires int64  // unix seconds: when its code or link stops working
	size    int
}

// outboxMessageSize is what a message holds, counted in bytes of its strings plus a
// fixed overhead for the struct.
func outboxMessageSize(m *OutboxMessage) int {
	return 128 + len(m.LoginID) + len(m.Method) + len(m.Kind) + len(m.To) + len(m.Code) + len(m.Link) + len(m.Token) + len(m.LinkID)
}

func (o *outbox) resetLocked() {
	o.messages, o.bytes = nil, 0
	o.wakeLocked()
}

func (o *outbox) wakeLocked() {
	if o.arrived != nil {
		close(o.arrived)
	}
	o.arrived = make(chan struct{})
}

// addLocked appends a message and returns it with its ID and send time.
func (o *outbox) addLocked(m OutboxMessage, userID string, expires int64, now time.Time) (OutboxMessage, error) {
	e := outboxEntry{msg: m, userID: userID, expires: expires, size: outboxMessageSize(&m)}
	if len(o.messages) >= MaxOutboxMessages || o.bytes+e.size > MaxOutboxBytes {
		o.dropLocked(func(e *outboxEntry) bool { return e.expires <= now.Unix() })
		if len(o.messages) >= MaxOutboxMessages || o.bytes+e.size > MaxOutboxBytes {
			return OutboxMessage{}, ErrOutboxFull
		}
	}
	o.nextID++
	e.msg.ID, e.msg.SentAt = o.nextID, now.UTC()
	o.messages = append(o.messages, e)
	o.bytes += e.size
	o.wakeLocked()
	return e.msg, nil
}

// dropLocked forgets the messages drop selects, keeping the order.
func (o *outbox) dropLocked(drop func(*outboxEntry) bool) {
	kept := o.messages[:0]
	for i := range o.messages {
		if drop(&o.messages[i]) {
			o.bytes -= o.messages[i].size
			continue
		}
		kept = append(kept, o.messages[i])
	}
	clear(o.messages[len(kept):])
	o.messages = kept
}

// list returns the messages, oldest first, only those of loginID when it
// is not "", only those after the ID after.
func (o *outbox) list(loginID string, after int64) []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := []OutboxMessage{}
	for i := range o.messages {
		m := &o.messages[i].msg
		if m.ID > after && (loginID == "" || m.LoginID == loginID) {
			out = append(out, *m)
		}
	}
	return out
}

// clear empties the outbox; IDs keep increasing.
func (o *outbox) clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages, o.bytes = nil, 0
}

// dropUsersLocked forgets the messages of the users (by user ID, or login
// ID for a sign-up's message sent before its user existed).
func (o *outbox) dropUsersLocked(users, loginIDs map[string]bool) {
	o.dropLocked(func(e *outboxEntry) bool { return users[e.userID] || loginIDs[e.msg.LoginID] })
}

// wait returns the first message of loginID ("" for any) and kind ("" for
// any) whose ID is above after, waiting for one until ctx ends.
func (o *outbox) wait(ctx context.Context, loginID, kind string, after int64) (OutboxMessage, error) {
	for {
		o.mu.Lock()
		for i := range o.messages {
			m := &o.messages[i].msg
			if m.ID > after && (loginID == "" || m.LoginID == loginID) && (kind == "" || m.Kind == kind) {
				found := *m
				o.mu.Unlock()
				return found, nil
			}
		}
		if o.arrived == nil {
			o.arrived = make(chan struct{})
		}
		arrived := o.arrived
		o.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return OutboxMessage{}, ctx.Err()
		}
	}
}
