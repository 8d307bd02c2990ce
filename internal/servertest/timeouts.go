package servertest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// These helpers check a running server's timeouts on raw connections, so
// each timeout is observed doing its job rather than read from a struct.
// Bounds are generous (the machine may be busy).

// StalledHeadersAreCut checks a server whose read-header timeout is short
// (well under 5s): a client that stops half-way through its headers
// (partial, the start of a request without its blank line) and one that
// sends a header a byte every 50ms are both cut within 5s, while meanwhile
// five GETs of healthPath are answered 200.
func StalledHeadersAreCut(t *testing.T, addr, partial, healthPath string) {
	t.Helper()
	stalled := DialRaw(t, addr)
	if _, err := io.WriteString(stalled, partial); err != nil {
		t.Fatal(err)
	}
	trickle := DialRaw(t, addr)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one header byte every 50ms, never finishing
		line := "GET " + healthPath + " HTTP/1.1\r\nX-Slow: " + strings.Repeat("a", 1000)
		for i := 0; i < len(line); i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := trickle.Write([]byte{line[i]}); err != nil {
				return
			}
		}
	}()
	// Other clients are not held up by the stalled ones.
	for range 5 {
		resp, err := http.Get("http://" + addr + healthPath)
		if err != nil {
			t.Fatalf("GET %s beside stalled clients: %v", healthPath, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s beside stalled clients: got %d, want 200", healthPath, resp.StatusCode)
		}
	}
	// The trickle alone would take over 50s to finish its headers; CloseWait
	// is a bound on waiting, well under that, not a speed requirement.
	ClosedWithin(t, stalled, CloseWait)
	ClosedWithin(t, trickle, CloseWait)
}

// CloseWait bounds how long a test waits for a server to close a connection
// it should close. It is not a speed requirement: servers under test close
// within a second or so, and a loaded machine may take far longer; it only
// keeps a server that never closes from hanging the test, and stays under
// the 50 s the slowest client in StalledClientsCut would need.
const CloseWait = 30 * time.Second

// IdleConnectionClosed checks a server whose idle timeout is timeout: after
// one GET of path, the keep-alive connection stays open at least timeout
// (measured from before the request was written, so a slow client cannot
// make it look early) and is then closed by the server.
func IdleConnectionClosed(t *testing.T, addr, path string, timeout time.Duration) {
	t.Helper()
	c := DialRaw(t, addr)
	start := time.Now()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("server closed the connection at once; want keep-alive until the idle timeout")
	}
	_ = c.SetReadDeadline(start.Add(CloseWait))
	_, err = r.ReadByte()
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("read a byte from an idle connection")
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("idle connection still open after %s, want the server to close it after its %s idle timeout", CloseWait, timeout)
	}
	if elapsed < timeout {
		t.Errorf("idle connection closed %s after the request was sent (%v), before the %s idle timeout", elapsed, err, timeout)
	}
}
