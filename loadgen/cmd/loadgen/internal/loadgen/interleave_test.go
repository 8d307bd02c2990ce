package loadgen_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

// The baseline and the target take Slices alternating turns each, and each
// side stays within its request cap over all its turns.
func TestInterleaveAlternatesTurns(t *testing.T) {
	t.Parallel()
	var (
		mu  sync.Mutex
		log []string
	)
	op := func(side string) func(context.Context) error {
		return func(context.Context) error {
			mu.Lock()
			if len(log) == 0 || log[len(log)-1] != side {
				log = append(log, side)
			}
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			return nil
		}
	}
	base := loadgen.Load{Name: "b", Workers: 1, Op: op("b")}
	target := loadgen.Load{Name: "t", Workers: 1, Op: op("t")}
	b, tr, err := loadgen.Interleave(t.Context(), base, target, loadgen.Options{Duration: 400 * time.Millisecond, MaxRequests: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2*loadgen.Slices {
		t.Errorf("turns: got %v, want %d alternating turns starting with the baseline", log, 2*loadgen.Slices)
	}
	if len(log) > 0 && log[0] != "b" {
		t.Errorf("first turn: got %s, want the baseline", log[0])
	}
	if b.Requests == 0 || tr.Requests == 0 || b.Elapsed <= 0 || tr.Elapsed <= 0 {
		t.Errorf("got baseline %+v target %+v, want requests and time on both sides", b, tr)
	}

	// A cap smaller than one turn's worth ends each side early.
	log = nil
	b, tr, err = loadgen.Interleave(t.Context(), base, target, loadgen.Options{Duration: 80 * time.Millisecond, MaxRequests: 5})
	if err != nil {
		t.Fatal(err)
	}
	if b.Requests != 5 || tr.Requests != 5 {
		t.Errorf("requests: got baseline %d target %d, want 5 each (the cap over all turns)", b.Requests, tr.Requests)
	}
}
