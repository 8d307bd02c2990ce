package rotation_test

import (
	"context"
	"sync"
)

// What the specs wait on without sleeping or polling.

// watchedContext is a context that reports the first call of its Done
// method by closing watched: a caller that blocks on behalf of the context
// and honours its cancellation watches Done while it waits.
type watchedContext struct {
	context.Context
	watched chan struct{}
	once    sync.Once
}

func newWatchedContext(parent context.Context) *watchedContext {
	return &watchedContext{Context: parent, watched: make(chan struct{})}
}

func (c *watchedContext) Done() <-chan struct{} {
	c.once.Do(func() { close(c.watched) })
	return c.Context.Done()
}

// announcements hands out, per kid, a channel that is closed when the kid
// is announced, so a worker waits for its token's kid without polling.
type announcements struct {
	mu        sync.Mutex
	ch        map[string]chan struct{}
	rotations map[string]int64
}

func newAnnouncements() *announcements {
	return &announcements{ch: map[string]chan struct{}{}, rotations: map[string]int64{}}
}

// of is kid's channel.
func (a *announcements) of(kid string) chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.ch[kid]
	if !ok {
		c = make(chan struct{})
		a.ch[kid] = c
	}
	return c
}

// announce records the rotation that made kid current and closes kid's
// channel; each kid is announced once.
func (a *announcements) announce(kid string, rotation int64) {
	c := a.of(kid)
	a.mu.Lock()
	a.rotations[kid] = rotation
	a.mu.Unlock()
	close(c)
}

// rotation is the rotation announced with kid.
func (a *announcements) rotation(kid string) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rotations[kid]
}
