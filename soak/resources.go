package soak

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// settle collects garbage, returns freed memory to the OS and measures the
// goroutine count and resident memory, calling quiesce (which closes idle
// connections) before each sample.
//
// Without targets (zero), it takes a few samples over a short window and
// returns the lowest goroutine count: a background key-set refresh caught in
// flight (its connection is three goroutines) must not raise the baseline.
// With targets, it retries until both are within 10% of them or limit
// passes: idle connections and their goroutines take a moment to close, and
// a refresh in flight ends.
func settle(ctx context.Context, quiesce func(), wantGoroutines int, wantRSS int64, limit time.Duration) (int, int64) {
	const baselineSamples = 5
	deadline := time.Now().Add(limit)
	bestG, bestRSS := -1, int64(0)
	for sample := 1; ; sample++ {
		quiesce()
		runtime.GC()
		debug.FreeOSMemory()
		g, rss := runtime.NumGoroutine(), residentBytes()
		if bestG < 0 || g < bestG {
			bestG, bestRSS = g, rss
		}
		if wantGoroutines == 0 {
			if sample >= baselineSamples || ctx.Err() != nil {
				return bestG, bestRSS
			}
		} else if (within(g, wantGoroutines) && (wantRSS == 0 || within(rss, wantRSS))) || time.Now().After(deadline) || ctx.Err() != nil {
			return g, rss
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// residentBytes is the process's resident set size (VmRSS), or 0 where
// /proc is not available.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				kb, err := strconv.ParseInt(fields[0], 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
