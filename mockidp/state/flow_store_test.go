package state

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The executions are bounded in count and bytes: at the limit expired ones
// are forgotten first, and only a store full of running ones refuses.
func TestFlowStoreBounds(t *testing.T) {
	t.Parallel()
	var fs flowStore
	fs.resetLocked()
	const now = 1000
	for i := range MaxFlowExecutions {
		exp := int64(now + 60)
		if i%2 == 0 {
			exp = now // expired at now
		}
		if err := fs.put(FlowExecution{ID: strconv.Itoa(i), FlowID: "f", Step: 1, Expires: exp}, 0, now-1); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if n, _ := fs.counts(); n != MaxFlowExecutions {
		t.Fatalf("%d held, want %d", n, MaxFlowExecutions)
	}
	// Full at now-1 (nothing expired yet): refused.
	if err := fs.put(FlowExecution{ID: "one-more", Step: 1, Expires: now + 60}, 0, now-1); !errors.Is(err, ErrFlowExecutionsFull) {
		t.Fatalf("put into a full store: %v, want ErrFlowExecutionsFull", err)
	}
	// At now half have expired: forgotten to make room.
	if err := fs.put(FlowExecution{ID: "one-more", Step: 1, Expires: now + 60}, 0, now); err != nil {
		t.Fatalf("put with expired ones held: %v", err)
	}
	if n, _ := fs.counts(); n != MaxFlowExecutions/2+1 {
		t.Errorf("%d held after forgetting the expired, want %d", n, MaxFlowExecutions/2+1)
	}

	var big flowStore
	big.resetLocked()
	value := strings.Repeat("x", 1<<20)
	var err error
	for i := 0; err == nil && i < 100; i++ {
		err = big.put(FlowExecution{ID: strconv.Itoa(i), Step: 1, Expires: now + 60, Form: map[string]string{"v": value}}, 0, now)
	}
	if !errors.Is(err, ErrFlowExecutionBytes) {
		t.Fatalf("putting 1 MiB executions: %v, want ErrFlowExecutionBytes", err)
	}
	if _, b := big.counts(); b > MaxFlowExecutionBytes {
		t.Errorf("%d bytes held, over MaxFlowExecutionBytes", b)
	}
	if !errors.Is(err, ErrLimit) {
		t.Errorf("the refusal %v is not an ErrLimit (a 409)", err)
	}
}

// A step moves on once: a second put for the same step is stale, and a
// get hands out a copy whose form the caller may change.
func TestFlowStoreSteps(t *testing.T) {
	t.Parallel()
	var fs flowStore
	fs.resetLocked()
	if err := fs.put(FlowExecution{ID: "e", Step: 1, Expires: 100, Form: map[string]string{"a": "1"}}, 0, 0); err != nil {
		t.Fatal(err)
	}
	e, err := fs.get("e", 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Form["a"] = "2"
	e.Step = 2
	if err := fs.put(e, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := fs.put(e, 1, 0); !errors.Is(err, ErrFlowStepStale) {
		t.Fatalf("second put at step 1: %v, want ErrFlowStepStale", err)
	}
	if err := fs.put(FlowExecution{ID: "gone", Step: 2}, 1, 0); !errors.Is(err, ErrFlowExecutionUnknown) {
		t.Fatalf("put of an ended execution: %v, want ErrFlowExecutionUnknown", err)
	}
	if _, err := fs.get("e", 100); !errors.Is(err, ErrFlowExecutionExpired) {
		t.Fatalf("get at expiry: %v, want ErrFlowExecutionExpired", err)
	}
	if n, b := fs.counts(); n != 0 || b != 0 {
		t.Errorf("after expiry %d held, %d bytes; want none", n, b)
	}
}
