package state

import (
	"slices"
	"sync"

	"github.com/descope-harness/harness/mockidp/wire"
)

// QueuedLogin is a login the control plane queued for the next
// authorization request; User is a user ID.
type QueuedLogin = wire.QueuedLogin

// loginQueue is a FIFO of queued logins, at most MaxQueuedLogins.
type loginQueue struct {
	mu    sync.Mutex
	items []QueuedLogin
}

// pushLocked queues a login, ErrLoginsFull at MaxQueuedLogins.
func (q *loginQueue) pushLocked(l QueuedLogin) error {
	if len(q.items) >= MaxQueuedLogins {
		return ErrLoginsFull
	}
	q.items = append(q.items, l)
	return nil
}

// popLocked takes the next queued login.
func (q *loginQueue) popLocked() (QueuedLogin, bool) {
	if len(q.items) == 0 {
		return QueuedLogin{}, false
	}
	l := q.items[0]
	q.items = q.items[1:]
	return l, true
}

func (q *loginQueue) list() []QueuedLogin {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]QueuedLogin{}, q.items...)
}

// dropUsersLocked forgets the queued logins of the users.
func (q *loginQueue) dropUsersLocked(users map[string]bool) {
	q.items = slices.DeleteFunc(q.items, func(l QueuedLogin) bool { return users[l.User] })
}

func (q *loginQueue) resetLocked() { q.items = nil }
