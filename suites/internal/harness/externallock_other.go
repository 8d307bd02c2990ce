//go:build !unix

package harness

// lockExternalMock does nothing where there is no flock: run the external
// target's suites one at a time (go test -p 1).
func lockExternalMock(string, func(string, ...any)) error { return nil }
