package mockidp

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp/state"
)

// memoryLimit is the bound for a mock holding memoryUsers users and
// memorySessions live sessions.
const (
	memoryLimit    = 64 << 20
	memoryUsers    = 10_000
	memorySessions = 100_000
)

// TestMemoryUsersAndSessions measures, in a fresh child process, the
// resident size of a mock holding 10,000 users and 100,000 live sessions
// (each session recorded as the refresh path records it; the JWTs are the
// clients' and the mock keeps none, so none are signed here). It asserts the
// Go heap after a collection stays under 64 MB, and without the race
// detector the process's VmRSS too (the race runtime's shadow memory
// multiplies the resident size of any process).
func TestMemoryUsersAndSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("long (fills a store to its limit): make test-long runs it")
	}
	if os.Getenv("MOCKIDP_MEMORY_CHILD") == "1" {
		memoryChild()
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryUsersAndSessions$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MOCKIDP_MEMORY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var rss, heap, baseRSS, users, live int64
	if _, err := fmt.Sscanf(lastLine(string(out), "memory:"), "memory: users=%d live=%d rss=%d base_rss=%d heap=%d", &users, &live, &rss, &baseRSS, &heap); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	t.Logf("%d users, %d live sessions: VmRSS %.1f MiB (empty mock %.1f MiB), Go heap in use %.1f MiB (race detector: %v)",
		users, live, float64(rss)/(1<<20), float64(baseRSS)/(1<<20), float64(heap)/(1<<20), raceEnabled)
	if users < memoryUsers || live != memorySessions {
		t.Fatalf("child built %d users and %d live sessions, want at least %d and %d", users, live, memoryUsers, memorySessions)
	}
	if heap >= memoryLimit {
		t.Errorf("Go heap %d bytes, want under %d", heap, memoryLimit)
	}
	if !raceEnabled && rss >= memoryLimit {
		t.Errorf("VmRSS %d bytes, want under %d", rss, memoryLimit)
	}
}

func lastLine(out, prefix string) string {
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			line = l
		}
	}
	return line
}

// memoryChild builds the state and prints its measurements.
func memoryChild() {
	s, err := New(Config{KeyPEM: fixtures.KeyPEMs()})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer s.Close()
	baseRSS := vmRSS()
	now := s.clock.Now()
	for i := range memoryUsers {
		u := User{LoginIDs: []string{fmt.Sprintf("user-%05d@example.com", i)}, Name: fmt.Sprintf("User %d", i),
			Email: fmt.Sprintf("user-%05d@example.com", i), VerifiedEmail: true, Roles: []string{"user"}}
		if i%3 == 0 {
			u.Tenants = []UserTenant{{TenantID: "T2MockTenantAcme000000000001", Roles: []string{"tenant-admin"}}}
		}
		if _, err := s.PutUser(u); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	users := s.Users()
	exp := now.Unix() + 3600
	for i := range memorySessions {
		u := users[i%len(users)]
		// A jti of the real length (22 characters); its randomness adds nothing to the size.
		if err := s.state.AddSession(fmt.Sprintf("%022d", i), state.Session{UserID: u.ID, AMR: amrEmail, Expires: exp}); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live, _ := s.state.SessionCounts()
	fmt.Printf("memory: users=%d live=%d rss=%d base_rss=%d heap=%d\n", len(s.Users()), live, vmRSS(), baseRSS, ms.HeapInuse)
}

// vmRSS is the process's resident size in bytes from /proc/self/status.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}
