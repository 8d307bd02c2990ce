package packaging

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
)

// Paths shared by every test: set once by TestMain.
var (
	// repoRoot is the module root (the parent of this package).
	repoRoot string
	// binDir holds mockidp and api built once for this test binary.
	binDir string
)

// TestMain builds both binaries once, the way `make build` does, into a
// temporary folder that every test uses.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "go.mod"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "packaging: cannot find the module root:", err)
		return 1
	}
	repoRoot = root
	dir, err := os.MkdirTemp("", "packaging-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for name, pkg := range map[string]string{"mockidp": "./mockidp/cmd/mockidp", "api": "./api/cmd/api"} {
		if path, ok, err := servertest.Prebuilt(name); err != nil {
			fmt.Fprintln(os.Stderr, "packaging:", err)
			return 1
		} else if ok {
			if err := os.Symlink(path, filepath.Join(dir, name)); err != nil {
				fmt.Fprintln(os.Stderr, "packaging:", err)
				return 1
			}
			continue
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=packaging-test", "-o", filepath.Join(dir, name), pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "packaging: building %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

// binPath is the path of a built binary ("mockidp" or "api").
func binPath(name string) string { return filepath.Join(binDir, name) }

// givenPorts are the ports freePort has handed out in this test binary.
var givenPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// freePort returns a loopback port that was free a moment ago and that no
// other test of this binary was given. The processes under test need their
// port before they start (the mock's public URL names it), so a listener on
// port 0 cannot be handed over.
func freePort(t *testing.T) int {
	t.Helper()
	givenPorts.Lock()
	defer givenPorts.Unlock()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !givenPorts.m[port] {
			givenPorts.m[port] = true
			return port
		}
	}
	t.Fatal("no unused loopback port in 100 tries")
	return 0
}

// process is a started binary whose output is kept for failure messages.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *servertest.Buffer
	done chan struct{}
	err  error
}

// startProcess starts bin with args and exactly env (no inherited
// variables), and stops it with SIGTERM when the test ends.
func startProcess(t *testing.T, name, bin string, args []string, env []string) *process {
	t.Helper()
	p := &process{name: name, out: &servertest.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		<-p.done
		if t.Failed() {
			t.Logf("%s output (last lines):\n%s", name, lastLines(p.out.String(), 40))
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// pollAttempts bounds every readiness poll: attempts × pollInterval is the
// longest a process may take to become ready.
const (
	pollAttempts = 300
	pollInterval = 50 * time.Millisecond
)

// waitUntil runs check until it succeeds, failing the test when p exits
// first or the attempts run out.
func waitUntil(t *testing.T, p *process, what string, check func() error) {
	t.Helper()
	var err error
	for range pollAttempts {
		if err = check(); err == nil {
			return
		}
		if p != nil && p.exited() {
			t.Fatalf("%s exited (%v) before %s:\n%s", p.name, p.err, what, p.out.String())
		}
		time.Sleep(pollInterval)
	}
	t.Fatalf("%s: still failing after %d attempts: %v", what, pollAttempts, err)
}

// runCommand runs argv with env and returns its combined output and exit code.
func runCommand(ctx context.Context, dir string, env []string, argv ...string) (string, int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 5 * time.Second // children left holding the output pipe do not block us
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode(), nil
	}
	if err != nil {
		return string(out), -1, err
	}
	return string(out), 0, nil
}

// itoa is strconv.Itoa, short for building addresses.
func itoa(n int) string { return strconv.Itoa(n) }

// environWithout is this process's environment (the toolchain's GOCACHE,
// GOPATH, PATH…) minus every variable whose name starts with one of
// prefixes, for commands whose HARNESS_* and DESCOPE_* must come from
// elsewhere (a compose file) or not at all.
func environWithout(prefixes ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
				break
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
