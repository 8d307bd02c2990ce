package mockidp

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
	fs.reset()
	const now = 1000
	for i := range MaxFlowExecutions {
		exp := int64(now + 60)
		if i%2 == 0 {
			exp = now // expired at now
		}
		if err := fs.put(flowExecution{id: strconv.Itoa(i), flowID: "f", step: 1, expires: exp}, 0, now-1); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if n, _ := fs.counts(); n != MaxFlowExecutions {
		t.Fatalf("%d held, want %d", n, MaxFlowExecutions)
	}
	// Full at now-1 (nothing expired yet): refused.
	if err := fs.put(flowExecution{id: "one-more", step: 1, expires: now + 60}, 0, now-1); !errors.Is(err, errFlowExecutionsFull) {
		t.Fatalf("put into a full store: %v, want errFlowExecutionsFull", err)
	}
	// At now half have expired: forgotten to make room.
	if err := fs.put(flowExecution{id: "one-more", step: 1, expires: now + 60}, 0, now); err != nil {
		t.Fatalf("put with expired ones held: %v", err)
	}
	if n, _ := fs.counts(); n != MaxFlowExecutions/2+1 {
		t.Errorf("%d held after forgetting the expired, want %d", n, MaxFlowExecutions/2+1)
	}

	var big flowStore
	big.reset()
	value := strings.Repeat("x", 1<<20)
	var err error
	for i := 0; err == nil && i < 100; i++ {
		err = big.put(flowExecution{id: strconv.Itoa(i), step: 1, expires: now + 60, form: map[string]string{"v": value}}, 0, now)
	}
	if !errors.Is(err, errFlowExecutionBytes) {
		t.Fatalf("putting 1 MiB executions: %v, want errFlowExecutionBytes", err)
	}
	if _, b := big.counts(); b > MaxFlowExecutionBytes {
		t.Errorf("%d bytes held, over MaxFlowExecutionBytes", b)
	}
	if e := flowStoreError(err).(*Error); e.Status != 409 || !strings.Contains(e.Message, "MaxFlowExecutionBytes") {
		t.Errorf("the refusal is %d %s, want a 409 naming MaxFlowExecutionBytes", e.Status, e.Message)
	}
	if e := flowStoreError(errFlowExecutionsFull).(*Error); e.Status != 409 || !strings.Contains(e.Message, strconv.Itoa(MaxFlowExecutions)) {
		t.Errorf("the count refusal is %d %s, want a 409 naming the limit", e.Status, e.Message)
	}
}

// A step moves on once: a second put for the same step is stale, and a
// get hands out a copy whose form the caller may change.
func TestFlowStoreSteps(t *testing.T) {
	t.Parallel()
	var fs flowStore
	fs.reset()
	if err := fs.put(flowExecution{id: "e", step: 1, expires: 100, form: map[string]string{"a": "1"}}, 0, 0); err != nil {
		t.Fatal(err)
	}
	e, err := fs.get("e", 0)
	if err != nil {
		t.Fatal(err)
	}
	e.form["a"] = "2"
	e.step = 2
	if err := fs.put(e, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := fs.put(e, 1, 0); !errors.Is(err, errFlowStepStale) {
		t.Fatalf("second put at step 1: %v, want errFlowStepStale", err)
	}
	if err := fs.put(flowExecution{id: "gone", step: 2}, 1, 0); !errors.Is(err, errFlowExecutionUnknown) {
		t.Fatalf("put of an ended execution: %v, want errFlowExecutionUnknown", err)
	}
	if _, err := fs.get("e", 100); !errors.Is(err, errFlowExecutionExpired) {
		t.Fatalf("get at expiry: %v, want errFlowExecutionExpired", err)
	}
	if n, b := fs.counts(); n != 0 || b != 0 {
		t.Errorf("after expiry %d held, %d bytes; want none", n, b)
	}
}
