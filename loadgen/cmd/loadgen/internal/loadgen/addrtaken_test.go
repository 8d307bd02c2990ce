package loadgen_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

// childAddrEnv makes this test binary a child server: it listens on the
// address the variable names (exiting 3 when it cannot) and answers every
// request 200 "child" until it is interrupted.
const childAddrEnv = "LOADGEN_TEST_CHILD_ADDR"

func TestMain(m *testing.M) {
	if addr := os.Getenv(childAddrEnv); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "child") }))
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// childSpec runs this test binary as a child server on addr.
func childSpec(t *testing.T, addr string) loadgen.ProcSpec {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return loadgen.ProcSpec{Name: "child", Binary: self, Env: append(os.Environ(), childAddrEnv+"="+addr), ReadyURL: "http://" + addr + "/"}
}

// squatter is another process's server on a loopback port: it answers every
// request 200 "squatter".
func squatter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "squatter") })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// A 200 from another process on the child's port is not the child's: the
// start is refused as ErrAddrTaken, not measured.
func TestStartProcRefusesAnotherProcessAnswer(t *testing.T) {
	t.Parallel()
	p, err := loadgen.StartProc(t.Context(), childSpec(t, squatter(t)))
	if err == nil {
		p.Stop()
		t.Fatalf("StartProc on a port another server holds: got a child ready in %v, want ErrAddrTaken", p.Ready)
	}
	if !errors.Is(err, loadgen.ErrAddrTaken) {
		t.Errorf("StartProc on a port another server holds: got %v, want ErrAddrTaken", err)
	}
}

// A child that exits because another socket holds its port is ErrAddrTaken.
func TestStartProcChildExitsOnTakenPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // held, never answering
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	spec := childSpec(t, ln.Addr().String())
	spec.Timeout = time.Minute // the child's exit, not the timeout, ends the wait
	p, err := loadgen.StartProc(t.Context(), spec)
	if err == nil {
		p.Stop()
		t.Fatal("StartProc on a held port: got a ready child, want ErrAddrTaken")
	}
	if !errors.Is(err, loadgen.ErrAddrTaken) || !strings.Contains(err.Error(), "exited") {
		t.Errorf("StartProc on a held port: got %v, want ErrAddrTaken for a child that exited", err)
	}
}

// A child that exits for another reason is not ErrAddrTaken, and
// StartOnFreeAddr does not try it again.
func TestStartOnFreeAddrDoesNotRetryOtherFailures(t *testing.T) {
	t.Parallel()
	calls := 0
	_, _, retried, err := loadgen.StartOnFreeAddr(t.Context(), func(addr string) (loadgen.ProcSpec, error) {
		calls++
		spec := childSpec(t, addr)
		spec.Env = append(os.Environ(), childAddrEnv+"=127.0.0.1:99999") // the child cannot listen there and exits 3
		return spec, nil
	})
	if err == nil || errors.Is(err, loadgen.ErrAddrTaken) || calls != 1 || retried != 0 {
		t.Errorf("a child failing on its own: got %v after %d calls, %d retried; want its error, not ErrAddrTaken, after 1 call", err, calls, retried)
	}
}

// When the first address is taken, the whole start is made again on a new
// one: the child returned is the second one, serving there, and its Ready
// is its own; one retry is reported.
func TestStartOnFreeAddrRetriesOnTakenAddr(t *testing.T) {
	t.Parallel()
	taken := squatter(t)
	var given []string
	p, addr, retried, err := loadgen.StartOnFreeAddr(t.Context(), func(addr string) (loadgen.ProcSpec, error) {
		given = append(given, addr)
		if len(given) == 1 {
			addr = taken // another process got there first
		}
		return childSpec(t, addr), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if retried != 1 || len(given) != 2 || addr != given[1] {
		t.Errorf("got addr %s after %d retries; addresses given %v; want the second address after 1 retry", addr, retried, given)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "child" {
		t.Errorf("GET on the returned address: got %q, want the child's answer", body)
	}
	if held, err := loadgen.ListenerHeld(p.PID(), port(t, addr)); err != nil || !held {
		t.Errorf("ListenerHeld(child, %s): got %v, %v; want true", addr, held, err)
	}
}

// A start that keeps losing its address gives up after AddrTries attempts
// with ErrAddrTaken; MeasureStartupOnFreeAddr reports the attempts lost.
func TestStartOnFreeAddrGivesUp(t *testing.T) {
	t.Parallel()
	taken := squatter(t)
	calls := 0
	_, retried, err := loadgen.MeasureStartupOnFreeAddr(t.Context(), func(string) (loadgen.ProcSpec, error) {
		calls++
		return childSpec(t, taken), nil
	}, time.Millisecond)
	if !errors.Is(err, loadgen.ErrAddrTaken) || calls != loadgen.AddrTries || retried != loadgen.AddrTries-1 {
		t.Errorf("always taken: got %v after %d calls, %d retried; want ErrAddrTaken after %d calls, %d retried",
			err, calls, retried, loadgen.AddrTries, loadgen.AddrTries-1)
	}
}

// MeasureStartupOnFreeAddr measures the start that kept its address.
func TestMeasureStartupOnFreeAddrRetries(t *testing.T) {
	t.Parallel()
	taken := squatter(t)
	calls := 0
	res, retried, err := loadgen.MeasureStartupOnFreeAddr(t.Context(), func(addr string) (loadgen.ProcSpec, error) {
		calls++
		if calls == 1 {
			addr = taken
		}
		return childSpec(t, addr), nil
	}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if retried != 1 || calls != 2 || res.Ready <= 0 || res.IdleRSS <= 0 {
		t.Errorf("got %+v, %d retried after %d calls; want a measured start after 1 retry", res, retried, calls)
	}
}

func TestParseListeningInodes(t *testing.T) {
	t.Parallel()
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:5DC0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:5DC0 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1
   2: 00000000000000000000000001000000:5DC0 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 333 1
   3: 0100007F:5DC1 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1 0000000000000000 100 0 0 10 0
   4: 0100007F:5DC0 00000000:0000 0A
`
	got := loadgen.ParseListeningInodes([]byte(table), 0x5DC0)
	if want := []string{"111", "333"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ParseListeningInodes(port 0x5DC0): got %v, want %v (listening only, that port only)", got, want)
	}
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscan(p, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
