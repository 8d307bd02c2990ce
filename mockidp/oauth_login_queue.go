package mockidp

import (
	"slices"
	"sync"
)

// loginQueue is a FIFO of queued logins.
type loginQueue struct {
	mu    sync.Mutex
	items []QueuedLogin
}

func (q *loginQueue) push(l QueuedLogin) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= MaxQueuedLogins {
		return false
	}
	q.items = append(q.items, l)
	return true
}

// pop takes the next queued login.
func (q *loginQueue) pop() (QueuedLogin, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
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

// dropUser forgets the queued logins of a user (QueueLogin stores the user ID).
func (q *loginQueue) dropUser(userID string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = slices.DeleteFunc(q.items, func(l QueuedLogin) bool { return l.User == userID })
}

func (q *loginQueue) clear() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}
