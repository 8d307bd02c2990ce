//go:build unix

package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockExternalMock takes a lock (a file in the temporary folder, named after
// the mock's URL) for the life of this suite's process, so suites that go
// test runs at the same time against one external mock take turns instead of
// resetting it under each other's specs. It waits while another suite holds
// the lock; the lock goes with the process.
func lockExternalMock(mockURL string, logf func(format string, args ...any)) error {
	path := externalLockPath(mockURL)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("external target: lock file: %w", err)
	}
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		heldLock = f
		return nil
	}
	logf("external target: another suite is using the mock at %s; waiting for it (lock %s)\n", mockURL, path)
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("external target: lock %s: %w", path, err)
	}
	heldLock = f
	return nil
}

// heldLock keeps the lock file open for the life of the process: an
// unreferenced *os.File is closed by its finalizer, and closing it would
// release the lock.
var heldLock *os.File

// externalLockPath is the lock file for a mock URL.
func externalLockPath(mockURL string) string {
	sum := sha256.Sum256([]byte(mockURL))
	return filepath.Join(os.TempDir(), "descope-harness-external-"+hex.EncodeToString(sum[:8])+".lock")
}
