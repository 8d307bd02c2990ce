package soak

import (
	"testing"
	"time"
)

// TestRunShort soaks for two seconds with a high fault rate and holds the
// run to the same targets as the full soak. Settle bounds the wait for
// goroutines and memory to come back after the run; it ends as soon as they
// do, so the generous bound costs nothing on an idle machine and keeps a
// loaded one from failing a healthy run.
func TestRunShort(t *testing.T) {
	if testing.Short() {
		t.Skip("long (a two-second soak with faults): make test-long runs it")
	}
	res, err := Run(t.Context(), Config{Duration: 2 * time.Second, Workers: 4, FaultRate: 0.3, Seed: 7, Settle: 30 * time.Second, VerifiedCacheSize: 64})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if raceEnabled {
		// The race detector's shadow memory grows with the run and is never
		// returned: resident memory says nothing about the code under it.
		res.RSSStart, res.RSSEnd = 0, 0
	}
	if err := res.Check(); err != nil {
		t.Errorf("targets missed: %v", err)
		if res.GoroutineStacks != "" {
			t.Logf("goroutines left running:\n%s", res.GoroutineStacks)
		}
	}
	if res.Rotations == 0 || res.KeySetRequests == 0 {
		t.Errorf("got %d rotations and %d key-set requests, want both above 0", res.Rotations, res.KeySetRequests)
	}
}

func TestCheckNamesEveryMissedTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		res     Result
		wantErr bool
	}{
		{"all met", Result{OK: 10, GoroutinesStart: 10, GoroutinesEnd: 11, RSSStart: 100, RSSEnd: 110}, false},
		{"a false rejection", Result{OK: 10, FalseRejections: 1, GoroutinesStart: 10, GoroutinesEnd: 10}, true},
		{"a 500", Result{OK: 10, ServerErrors: 1, GoroutinesStart: 10, GoroutinesEnd: 10}, true},
		{"goroutines leaked", Result{OK: 10, GoroutinesStart: 10, GoroutinesEnd: 12}, true},
		{"memory grew", Result{OK: 10, GoroutinesStart: 10, GoroutinesEnd: 10, RSSStart: 100, RSSEnd: 111}, true},
		{"nothing succeeded", Result{GoroutinesStart: 10, GoroutinesEnd: 10}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.res.Check(); (err != nil) != tt.wantErr {
				t.Errorf("Check() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
