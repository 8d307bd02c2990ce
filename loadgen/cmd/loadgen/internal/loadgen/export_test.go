package loadgen

import "time"

// SetDistinctPoolSize shrinks api-me-distinct's token pool for a quick run
// and returns a function restoring it.
func SetDistinctPoolSize(n int) (restore func()) {
	old := distinctPoolSize
	distinctPoolSize = n
	return func() { distinctPoolSize = old }
}

// SetChildIdle shortens the quiet time before a child's idle RSS is read
// and returns a function restoring it.
func SetChildIdle(d time.Duration) (restore func()) {
	old := childIdle
	childIdle = d
	return func() { childIdle = old }
}

// SplitRS256 exposes splitRS256 to the tests.
var SplitRS256 = splitRS256

// Interleave exposes the alternating turns of Measure.
var Interleave = interleave
