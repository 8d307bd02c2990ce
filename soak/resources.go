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
// goroutine count and resident memory. With targets (non-zero), it retries
// until both are within 10% of them or limit passes: idle connections and
// their goroutines take a moment to close.
func settle(ctx context.Context, wantGoroutines int, wantRSS int64, limit time.Duration) (int, int64) {
	deadline := time.Now().Add(limit)
	for {
		runtime.GC()
		debug.FreeOSMemory()
		g, rss := runtime.NumGoroutine(), residentBytes()
		done := wantGoroutines == 0 || (within(g, wantGoroutines) && (wantRSS == 0 || within(rss, wantRSS)))
		if done || time.Now().After(deadline) || ctx.Err() != nil {
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
