package loadgen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

func TestParseStatCPU(t *testing.T) {
	t.Parallel()
	// Fields after the name: state ppid pgrp session tty tpgid flags minflt
	// cminflt majflt cmajflt utime stime ...; the name holds ") (" on purpose.
	line := "4242 (api) (x y) S 1 4242 4242 0 -1 4194560 1200 0 3 0 150 57 0 0 20 0 9 0 123 456 789\n"
	got, err := loadgen.ParseStatCPU([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2070 * time.Millisecond; got != want { // (150 + 57) ticks of 10 ms
		t.Errorf("ParseStatCPU: got %v, want %v", got, want)
	}
	for _, bad := range []string{
		"",
		"4242 api S 1 2 3",                      // no parentheses
		"4242 (api) S 1 4242 4242 0 -1 4194560", // too few fields
		"4242 (api) S 1 4242 4242 0 -1 4194560 1200 0 3 0 x 57 0",
		"4242 (api) S 1 4242 4242 0 -1 4194560 1200 0 3 0 -5 57 0",
	} {
		if _, err := loadgen.ParseStatCPU([]byte(bad)); err == nil {
			t.Errorf("ParseStatCPU(%q): got nil error", bad)
		}
	}
}

func TestParseStatusKB(t *testing.T) {
	t.Parallel()
	status := "Name:\tapi\nVmPeak:\t 1300000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   15360 kB\nThreads:\t9\n"
	for _, tt := range []struct {
		name string
		want int64
	}{{"VmRSS", 15360 << 10}, {"VmHWM", 20480 << 10}} {
		got, err := loadgen.ParseStatusKB([]byte(status), tt.name)
		if err != nil || got != tt.want {
			t.Errorf("ParseStatusKB(%s): got %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ status, name string }{
		{status, "VmSwap"},                // absent
		{"VmRSS:\t 15360 MB\n", "VmRSS"},  // wrong unit
		{"VmRSS:\t lots kB\n", "VmRSS"},   // not a number
		{"VmRSSX:\t 15360 kB\n", "VmRSS"}, // another field
		{"Threads:\t9\n", "Threads"},      // no unit
	} {
		if _, err := loadgen.ParseStatusKB([]byte(bad.status), bad.name); err == nil {
			t.Errorf("ParseStatusKB(%q, %s): got nil error", bad.status, bad.name)
		}
	}
}

// The readers work on this very process: its CPU time grows with work and
// its peak resident set is at least its current one.
func TestProcessReaders(t *testing.T) {
	t.Parallel()
	rss, peak, err := loadgen.ProcessMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || peak < rss {
		t.Errorf("ProcessMemory: got rss %d, peak %d; want 0 < rss <= peak", rss, peak)
	}
	before, err := loadgen.ProcessCPU(0)
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the clock tick (10 ms of CPU) after before has passed.
	sink := uint64(1)
	for i := 1; ; i++ {
		sink = sink*6364136223846793005 + 1
		if i%(1<<16) != 0 {
			continue
		}
		after, err := loadgen.ProcessCPU(0)
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			break
		}
	}
	_ = sink
}

func TestRunMeasuresCPU(t *testing.T) {
	t.Parallel()
	var reads []time.Duration
	cpu := func() (time.Duration, error) {
		reads = append(reads, time.Duration(len(reads)+1)*1500*time.Millisecond) // 1.5s, then 3s
		return reads[len(reads)-1], nil
	}
	load := loadgen.Load{Name: "cpu", Workers: 1, Op: func(context.Context) error { return nil }, CPU: cpu}
	res, err := loadgen.Run(t.Context(), load, loadgen.Options{Duration: time.Minute, MaxRequests: 300})
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) != 2 || res.CPU != 1500*time.Millisecond {
		t.Fatalf("CPU: got %v after %d reads, want 1.5s after 2", res.CPU, len(reads))
	}
	if got := res.PerCPUSecond(); got != 200 {
		t.Errorf("PerCPUSecond: got %v, want 300 / 1.5 = 200", got)
	}
}

func TestRatioPerCPU(t *testing.T) {
	t.Parallel()
	target := loadgen.Result{Requests: 1000, Elapsed: 2 * time.Second, CPU: 2 * time.Second} // 500/cpu-s, 500/s
	baseline := loadgen.Result{Requests: 4000, Elapsed: 2 * time.Second, CPU: time.Second}   // 4000/cpu-s, 2000/s
	wall := loadgen.Report{Scenario: loadgen.Scenario{MinRatio: 0.2}, Target: target, Baseline: baseline}
	if got := wall.Ratio(); got != 0.25 {
		t.Errorf("wall-clock ratio: got %v, want 500/2000 = 0.25", got)
	}
	perCPU := loadgen.Report{Scenario: loadgen.Scenario{MinRatio: 0.2, PerCPU: true}, Target: target, Baseline: baseline}
	if got := perCPU.Ratio(); got != 0.125 {
		t.Errorf("per-CPU ratio: got %v, want 500/4000 = 0.125", got)
	}
	if !wall.MeetsGoal() || perCPU.MeetsGoal() {
		t.Errorf("goal 0.2: got wall %v, per-CPU %v; want met, not met", wall.MeetsGoal(), perCPU.MeetsGoal())
	}
	if got := target.CoresUsed(); got != 1 {
		t.Errorf("CoresUsed: got %v, want 1", got)
	}
	noCPU := loadgen.Report{Scenario: loadgen.Scenario{PerCPU: true}, Target: target, Baseline: loadgen.Result{Requests: 10, Elapsed: time.Second}}
	if got := noCPU.Ratio(); got != 0 {
		t.Errorf("per-CPU ratio without the baseline's CPU: got %v, want 0", got)
	}
}

func TestMeetsGoalNotesAndMemory(t *testing.T) {
	t.Parallel()
	ok := loadgen.Result{Requests: 10, Elapsed: time.Second}
	base := loadgen.Report{Target: ok, Baseline: ok}
	withNote := base
	withNote.Notes = []loadgen.Note{{Text: "fine"}, {Text: "too many fetches", Missed: true}}
	bigIdle := base
	bigIdle.Memory = []loadgen.Memory{{Name: "api", Idle: loadgen.IdleRSSGoal + 1, Peak: loadgen.IdleRSSGoal + 1}}
	bigPeak := base
	bigPeak.Memory = []loadgen.Memory{{Name: "api", Idle: 1 << 20, Peak: loadgen.PeakRSSGoal + 1}}
	within := base
	within.Memory = []loadgen.Memory{{Name: "api", Idle: loadgen.IdleRSSGoal, Peak: loadgen.PeakRSSGoal}}
	for _, tt := range []struct {
		name string
		rep  loadgen.Report
		want bool
	}{{"plain", base, true}, {"missed note", withNote, false}, {"idle over", bigIdle, false}, {"peak over", bigPeak, false}, {"at the goals", within, true}} {
		if got := tt.rep.MeetsGoal(); got != tt.want {
			t.Errorf("%s: MeetsGoal got %v, want %v", tt.name, got, tt.want)
		}
	}
	var out strings.Builder
	withNote.Print(&out)
	if !strings.Contains(out.String(), "too many fetches (NOT met)") {
		t.Errorf("Print: missed note not marked:\n%s", out.String())
	}
}

func TestFetchAllowance(t *testing.T) {
	t.Parallel()
	const c = 5 * time.Second
	for _, tt := range []struct {
		window time.Duration
		want   int
	}{{0, 1}, {time.Second, 1}, {c - 1, 1}, {c, 2}, {12 * time.Second, 3}, {15 * time.Second, 4}} {
		if got := loadgen.FetchAllowance(tt.window, c); got != tt.want {
			t.Errorf("FetchAllowance(%v, %v): got %d, want %d", tt.window, c, got, tt.want)
		}
	}
	if got := loadgen.FetchAllowance(time.Second, 0); got != 0 {
		t.Errorf("FetchAllowance without a cooldown: got %d, want 0", got)
	}
	if n := loadgen.FetchNote(2, 5*time.Second, c); n.Missed {
		t.Errorf("FetchNote(2 in 5s): got missed, want within the allowance (%s)", n.Text)
	}
	if n := loadgen.FetchNote(2, 4*time.Second, c); !n.Missed {
		t.Errorf("FetchNote(2 in 4s): got within, want missed (%s)", n.Text)
	}
}

func TestSummarizeStartups(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	got := loadgen.SummarizeStartups([]loadgen.Startup{{Ready: 30 * ms, IdleRSS: 5}, {Ready: 10 * ms, IdleRSS: 9}, {Ready: 90 * ms, IdleRSS: 7}, {Ready: 20 * ms}})
	want := loadgen.StartupSummary{Median: 30 * ms, Worst: 90 * ms, MaxIdleRSS: 9}
	if got != want {
		t.Errorf("SummarizeStartups: got %+v, want %+v", got, want)
	}
	if got := loadgen.SummarizeStartups(nil); got != (loadgen.StartupSummary{}) {
		t.Errorf("SummarizeStartups(nil): got %+v, want zero", got)
	}
}

func TestChildEnv(t *testing.T) {
	t.Parallel()
	got := loadgen.ChildEnv(map[string]string{"PORT": "8000", "HOST": "127.0.0.1"})
	if strings.Join(got, " ") != "HOST=127.0.0.1 PORT=8000" {
		t.Errorf("ChildEnv: got %q", got)
	}
	if got := loadgen.ChildEnv(nil); got == nil || len(got) != 0 {
		t.Errorf("ChildEnv(nil): got %#v, want an empty, non-nil environment (nil would inherit ours)", got)
	}
}

// SignRS256 makes a token go-jose verifies with the key's public half, and
// SplitRS256 gives back its signing input, signature and kid.
func TestSignRS256(t *testing.T) {
	t.Parallel()
	key := fixtures.PrivateKeys()[0]
	token, err := loadgen.SignRS256(key, "kid-1", map[string]any{"sub": "x"})
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify(&key.PublicKey)
	if err != nil || string(payload) != `{"sub":"x"}` {
		t.Errorf("Verify: got %s, %v", payload, err)
	}
	if jws.Signatures[0].Header.KeyID != "kid-1" {
		t.Errorf("kid: got %q", jws.Signatures[0].Header.KeyID)
	}
	input, sig, kid, err := loadgen.SplitRS256(token)
	if err != nil || kid != "kid-1" || len(sig) != 256 || string(input) != token[:strings.LastIndexByte(token, '.')] {
		t.Errorf("SplitRS256: got %q, %d signature bytes, kid %q, %v", input, len(sig), kid, err)
	}
	for _, bad := range []string{"garbage", "a.b", "e30.e30.c2ln", "eyJhbGciOiJub25lIn0.e30.c2ln"} {
		if _, _, _, err := loadgen.SplitRS256(bad); err == nil {
			t.Errorf("SplitRS256(%q): got nil error", bad)
		}
	}
}
