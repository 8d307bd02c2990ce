package mockidp

import "sync"

// maxQueuedLogins bounds the queue.
const maxQueuedLogins = 1000

// loginQueue is a FIFO of queued logins.
type loginQueue struct {
	mu    sync.Mutex
	items []QueuedLogin
}

func (q *loginQueue) push(l QueuedLogin) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= maxQueuedLogins {
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

func (q *loginQueue) clear() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}
