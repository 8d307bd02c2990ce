// Package servertest holds what this module's tests of its servers and
// binaries share: a goroutine-safe log sink, raw TCP connections a test
// drives byte by byte, and the binaries under test (prebuilt by make, or
// built into a test's temporary folder).
package servertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer safe for concurrent writes, for slog handlers
// whose output a test scans.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// DialRaw opens a TCP connection to addr, closed when the test ends.
func DialRaw(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ClosedWithin reads from c until the server closes it (EOF or reset) and
// reports how long that took; it fails the test if c is still open after limit.
func ClosedWithin(t testing.TB, c net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("connection still open after %s, want the server to close it", limit)
		}
		return time.Since(start)
	}
}

// BinDirEnv names a folder of binaries built from this tree (`make test`
// builds bin/mockidp and bin/api first and sets it to bin), which the tests
// that run the binaries use instead of linking their own copies.
const BinDirEnv = "HARNESS_BIN_DIR"

// Prebuilt returns the binary name ("mockidp" or "api") from the folder
// BinDirEnv names. ok is false when the variable is unset; a variable naming
// a folder without the binary is an error, not a silent rebuild.
func Prebuilt(name string) (path string, ok bool, err error) {
	dir := os.Getenv(BinDirEnv)
	if dir == "" {
		return "", false, nil
	}
	path, err = filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return "", false, err
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		return "", false, fmt.Errorf("%s=%s holds no %s binary (run make build)", BinDirEnv, dir, name)
	}
	return path, true, nil
}

// BuildCommand returns the binary name built from the main package in dir
// (relative to the test's working directory, "." for its own): the
// prebuilt one when BinDirEnv is set, else one built into the test's
// temporary folder.
func BuildCommand(t testing.TB, dir, name string) string {
	t.Helper()
	if path, ok, err := Prebuilt(name); err != nil {
		t.Fatal(err)
	} else if ok {
		return path
	}
	path := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", path, dir).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v: %s", name, err, out)
	}
	return path
}

// MarkdownTable returns the rows (trimmed cells, backticks kept) of the
// first table in the Markdown file at path whose header row starts with
// header; tests use it to keep documentation tables true to the code.
func MarkdownTable(t testing.TB, path, header string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case !in && strings.HasPrefix(line, header):
			in = true
		case in && strings.HasPrefix(line, "|---"):
		case in && strings.HasPrefix(line, "|"):
			var cells []string
			for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
				cells = append(cells, strings.TrimSpace(c))
			}
			rows = append(rows, cells)
		case in:
			return rows
		}
	}
	if !in {
		t.Fatalf("%s has no table starting %q", path, header)
	}
	return rows
}

// ScanListening reads JSON log lines from r, sends the addr attribute
// (host:port, any "http://" prefix removed) of the first line whose msg is
// msg, then drains r so the writer never blocks.
func ScanListening(r io.Reader, msg string, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		var line struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if !sent && json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == msg {
			addr <- strings.TrimPrefix(line.Addr, "http://")
			sent = true
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
