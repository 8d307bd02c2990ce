package state

import (
	"crypto/rand"
	"encoding/hex"
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

// FlowExecution is one run of a flow, between its start and its end.
type FlowExecution struct {
	ID      string // the random part of the execution ID
	FlowID  string
	Screen  int // index of the screen shown
	Step    int // the step ID the component sends back
	Expires int64
	// What the flow was given: the login ID a code or link went to, the
	// form values shown in templates ({{form.email}}), and where a magic
	// link points (the start's redirectUrl, else the page's location).
	LoginID  string
	Form     map[string]string
	LinkBase string
	// The user a code or link signed in, when the flow goes on after it
	// (set_password, select_tenant, end): the session's user, how it
	// proved itself, and its tenant (dct).
	UserID     string
	AuthMethod string
	Tenant     string
	size       int
}

// FlowExecutionSize is what an execution holds, in bytes of its strings
// plus a fixed overhead.
func FlowExecutionSize(e *FlowExecution) int {
	n := 192 + len(e.ID) + len(e.FlowID) + len(e.LoginID) + len(e.LinkBase) + len(e.UserID) + len(e.AuthMethod) + len(e.Tenant)
	for k, v := range e.Form {
		n += 32 + len(k) + len(v)
	}
	return n
}

// flowStore holds the running flow executions by ID.
type flowStore struct {
	mu    sync.Mutex
	execs map[string]*FlowExecution
	bytes int
}

func (fs *flowStore) resetLocked() {
	fs.execs = make(map[string]*FlowExecution)
	fs.bytes = 0
}

// NewFlowExecutionID is 128 random bits in hex (no "_" or "|", which the
// component splits run IDs on).
func NewFlowExecutionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return hex.EncodeToString(b[:])
}

// put stores e (new, or replacing the held one of its ID when that is still
// at step wantStep). now is unix seconds of the mock's clock.
func (fs *flowStore) put(e FlowExecution, wantStep int, now int64) error {
	e.size = FlowExecutionSize(&e)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	old, exists := fs.execs[e.ID]
	if exists {
		if old.Step != wantStep {
			return ErrFlowStepStale
		}
		fs.bytes -= old.size
		delete(fs.execs, e.ID)
	} else if wantStep != 0 {
		return ErrFlowExecutionUnknown // ended meanwhile
	}
	if len(fs.execs) >= MaxFlowExecutions || fs.bytes+e.size > MaxFlowExecutionBytes {
		// Linear in the executions held, under the lock, once per start at
		// the limit: a full store of live executions refuses each start
		// after one walk.
		for id, x := range fs.execs {
			if x.Expires <= now {
				fs.bytes -= x.size
				delete(fs.execs, id)
			}
		}
		if len(fs.execs) >= MaxFlowExecutions {
			return ErrFlowExecutionsFull
		}
		if fs.bytes+e.size > MaxFlowExecutionBytes {
			return ErrFlowExecutionBytes
		}
	}
	fs.execs[e.ID] = &e
	fs.bytes += e.size
	return nil
}

// get returns a copy of the execution id; an expired one is forgotten.
func (fs *flowStore) get(id string, now int64) (FlowExecution, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.execs[id]
	if !ok {
		return FlowExecution{}, ErrFlowExecutionUnknown
	}
	if e.Expires <= now {
		fs.bytes -= e.size
		delete(fs.execs, id)
		return FlowExecution{}, ErrFlowExecutionExpired
	}
	c := *e
	c.Form = maps.Clone(e.Form)
	return c, nil
}

// end forgets the execution id if it is still at step wantStep, and
// reports whether it did.
func (fs *flowStore) end(id string, wantStep int) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.execs[id]
	if !ok || e.Step != wantStep {
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

// PutFlow stores an execution: a new one (wantStep 0), or one replacing the
// held execution of its ID while that is still at step wantStep
// (ErrFlowStepStale when it moved on, ErrFlowExecutionUnknown when it
// ended). A full store is ErrFlowExecutionsFull or ErrFlowExecutionBytes.
func (st *State) PutFlow(e FlowExecution, wantStep int) error {
	return st.flows.put(e, wantStep, st.now().Unix())
}

// Flow returns a copy of the execution id (ErrFlowExecutionUnknown, or
// ErrFlowExecutionExpired once forgotten for its expiry).
func (st *State) Flow(id string) (FlowExecution, error) { return st.flows.get(id, st.now().Unix()) }

// EndFlow forgets the execution id if it is still at step wantStep, and
// reports whether it did.
func (st *State) EndFlow(id string, wantStep int) bool { return st.flows.end(id, wantStep) }

// FlowCounts returns the executions held and their bytes.
func (st *State) FlowCounts() (int, int) { return st.flows.counts() }
