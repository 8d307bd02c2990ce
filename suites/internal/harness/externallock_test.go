//go:build unix

package harness

import (
	"os"
	"testing"
)

// Two suites against one external mock take turns: the second waits, saying
// so, until the first lets go, and only then goes on.
func TestLockExternalMockTakesTurns(t *testing.T) {
	url := "http://127.0.0.1:1/" + t.Name()
	t.Cleanup(func() { os.Remove(externalLockPath(url)) })
	if err := lockExternalMock(url, func(string, ...any) { t.Error("the first suite waited for a free lock") }); err != nil {
		t.Fatal(err)
	}
	first := heldLock

	waiting := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- lockExternalMock(url, func(string, ...any) { close(waiting) })
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("the second suite took the lock while the first held it (err %v)", err)
	}
	select {
	case err := <-done:
		t.Fatalf("the second suite went on while the first held the lock (err %v)", err)
	default:
	}
	first.Close() // the first suite's process ends
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if heldLock == first {
		t.Fatal("the second suite holds no lock of its own")
	}
	heldLock.Close()
}
