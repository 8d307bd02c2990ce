package mockidp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"sync"
)

// Bounds of the flow executions: at most MaxFlowExecutions of
// MaxFlowExecutionBytes in all are held; at the limit expired ones are
// forgotten first, and a start is refused (409) only when every one held
// is still running.
const (
	MaxFlowExecutions     = 10_000
	MaxFlowExecutionBytes = 16 << 20
)

var (
	errFlowExecutionUnknown = errors.New("unknown flow execution")
	errFlowExecutionExpired = errors.New("flow execution expired")
	errFlowStepStale        = errors.New("flow step is not the current one")
	errFlowExecutionsFull   = errors.New("too many flow executions")
	errFlowExecutionBytes   = errors.New("flow executions too large")
)

// flowExecution is one run of a flow, between its start and its end.
type flowExecution struct {
	id      string // the random part of the execution ID
	flowID  string
	screen  int // index of the screen shown
	step    int // the step ID the component sends back
	expires int64
	// What the flow was given: the login ID a code or link went to, the
	// form values shown in templates ({{form.email}}), and where a magic
	// link points (the start's redirectUrl, else the page's location).
	loginID  string
	form     map[string]string
	linkBase string
	// The user a code or link signed in, when the flow goes on after it
	// (set_password, select_tenant, end): the session's user, how it
	// proved itself, and its tenant (dct).
	userID     string
	authMethod string
	tenant     string
	size       int
}

// flowExecutionSize is what an execution holds, in bytes of its strings
// plus a fixed overhead.
func flowExecutionSize(e *flowExecution) int {
	n := 192 + len(e.id) + len(e.flowID) + len(e.loginID) + len(e.linkBase) + len(e.userID) + len(e.authMethod) + len(e.tenant)
	for k, v := range e.form {
		n += 32 + len(k) + len(v)
	}
	return n
}

// flowStore holds the running flow executions by ID.
type flowStore struct {
	mu    sync.Mutex
	execs map[string]*flowExecution
	bytes int
}

func (fs *flowStore) reset() {
	fs.mu.Lock()
	fs.execs = make(map[string]*flowExecution)
	fs.bytes = 0
	fs.mu.Unlock()
}

// newFlowExecutionID is 128 random bits in hex (no "_" or "|", which the
// component splits run IDs on).
func newFlowExecutionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return hex.EncodeToString(b[:])
}

// put stores e (new, or replacing the held one of its ID when that is still
// at step wantStep). now is unix seconds of the mock's clock.
func (fs *flowStore) put(e flowExecution, wantStep int, now int64) error {
	e.size = flowExecutionSize(&e)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	old, exists := fs.execs[e.id]
	if exists {
		if old.step != wantStep {
			return errFlowStepStale
		}
		fs.bytes -= old.size
		delete(fs.execs, e.id)
	} else if wantStep != 0 {
		return errFlowExecutionUnknown // ended meanwhile
	}
	if len(fs.execs) >= MaxFlowExecutions || fs.bytes+e.size > MaxFlowExecutionBytes {
		// Linear in the executions held, under the lock, once per start at
		// the limit: a full store of live executions refuses each start
		// after one walk.
		for id, x := range fs.execs {
			if x.expires <= now {
				fs.bytes -= x.size
				delete(fs.execs, id)
			}
		}
		if len(fs.execs) >= MaxFlowExecutions {
			return errFlowExecutionsFull
		}
		if fs.bytes+e.size > MaxFlowExecutionBytes {
			return errFlowExecutionBytes
		}
	}
	fs.execs[e.id] = &e
	fs.bytes += e.size
	return nil
}

// get returns a copy of the execution id; an expired one is forgotten.
func (fs *flowStore) get(id string, now int64) (flowExecution, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.execs[id]
	if !ok {
		return flowExecution{}, errFlowExecutionUnknown
	}
	if e.expires <= now {
		fs.bytes -= e.size
		delete(fs.execs, id)
		return flowExecution{}, errFlowExecutionExpired
	}
	c := *e
	c.form = maps.Clone(e.form)
	return c, nil
}

// end forgets the execution id if it is still at step wantStep, and
// reports whether it did.
func (fs *flowStore) end(id string, wantStep int) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.execs[id]
	if !ok || e.step != wantStep {
		return false
	}
	fs.bytes -= e.size
	delete(fs.execs, id)
	return true
}

// counts returns the executions held and their bytes.
func (fs *flowStore) counts() (int, int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.execs), fs.bytes
}
