package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for user space (`getconf CLK_TCK`).
const clockTicks = 100

// ParseStatCPU returns utime+stime (fields 14 and 15) of a /proc/PID/stat
// line as a duration. The command name (field 2) is in parentheses and may
// hold spaces or parentheses, so fields are counted after its last ')'.
func ParseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no ')' after the command name")
	}
	f := strings.Fields(string(stat[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the command name, want at least 13", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 (utime) and 15 (stime)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("stat: bad tick count %q", s)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// ParseStatusKB returns a "Name:   123 kB" line of /proc/PID/status
// (VmRSS, VmHWM, ...) in bytes.
func ParseStatusKB(status []byte, name string) (int64, error) {
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil || kb < 0 {
					return 0, fmt.Errorf("status: bad %s value %q", name, f[0])
				}
				return kb * 1024, nil
			}
			return 0, fmt.Errorf("status: malformed %s line %q", name, line)
		}
	}
	return 0, fmt.Errorf("status: no %s line", name)
}

// ProcessCPU is the CPU time (user + system, all threads) a process has
// used so far, from /proc/PID/stat; pid 0 means this process.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return 0, fmt.Errorf("reading process stat: %w", err)
	}
	return ParseStatCPU(b)
}

// ProcessMemory is a process's resident set now (VmRSS) and its peak so
// far (VmHWM), in bytes, from /proc/PID/status; pid 0 means this process.
func ProcessMemory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return 0, 0, fmt.Errorf("reading process status: %w", err)
	}
	if rss, err = ParseStatusKB(b, "VmRSS"); err != nil {
		return 0, 0, err
	}
	if peak, err = ParseStatusKB(b, "VmHWM"); err != nil {
		return 0, 0, err
	}
	return rss, peak, nil
}

func procPath(pid int, file string) string {
	if pid == 0 {
		return "/proc/self/" + file
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

// ProcSpec says how to start a server binary as a child process.
type ProcSpec struct {
	// Name labels the process in reports, e.g. "api".
	Name string
	// Binary and Args are the command line.
	Binary string
	Args   []string
	// Env (optional) - the whole environment of the child; nil inherits ours.
	Env []string
	// ReadyURL is polled every millisecond until it answers 200; it must be
	// on loopback.
	ReadyURL string
	// Timeout (default 10s) - how long to wait for ReadyURL.
	Timeout time.Duration
}

// Proc is a running child server.
type Proc struct {
	Name string
	// Ready is the time from starting the process to the first 200 from ReadyURL.
	Ready time.Duration
	// IdleRSS is VmRSS after Settle (0 before).
	IdleRSS int64
	Idle    time.Duration

	cmd  *exec.Cmd
	done chan struct{}
}

// ErrAddrTaken says a child could not have the address it was given:
// another process held it (it took the port between FreeLoopbackAddr
// closing it and the child binding it). The attempt tells nothing about the
// child; StartOnFreeAddr tries again on a new address.
var ErrAddrTaken = errors.New("address taken by another process")

// StartProc starts spec's binary and waits until its ReadyURL answers 200
// from a listener the child holds. The child is stopped (SIGINT, then
// SIGKILL after 5s) by Stop, and killed when ctx ends. The error wraps
// ErrAddrTaken when another process holds ReadyURL's port: the child exited
// early with the port in use, or the 200 came from someone else.
func StartProc(ctx context.Context, spec ProcSpec) (*Proc, error) {
	if err := CheckLoopback(spec.ReadyURL); err != nil {
		return nil, err
	}
	u, err := url.Parse(spec.ReadyURL)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return nil, fmt.Errorf("ready URL %q: want an explicit port", spec.ReadyURL)
	}
	if spec.Timeout <= 0 {
		spec.Timeout = 10 * time.Second
	}
	cmd := exec.Command(spec.Binary, spec.Args...)
	cmd.Env = spec.Env
	cmd.Stdout, cmd.Stderr = nil, nil // /dev/null
	client := &http.Client{Timeout: 100 * time.Millisecond, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", spec.Binary, err)
	}
	p := &Proc{Name: spec.Name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	stopOnCancel := context.AfterFunc(ctx, func() { _ = cmd.Process.Kill() })
	go func() { <-p.done; stopOnCancel() }()
	for {
		resp, err := client.Get(spec.ReadyURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.Ready = time.Since(begin)
				// Only the child's own 200 counts: another process on the
				// port would answer before the child failed to bind it.
				owned, err := ListenerHeld(p.PID(), port)
				if err != nil || !owned {
					p.Stop()
					if err == nil {
						err = fmt.Errorf("%w: %s answered 200 from a listener %s does not hold", ErrAddrTaken, spec.ReadyURL, spec.Binary)
					}
					return nil, err
				}
				return p, nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		select {
		case <-p.done:
			if addrInUse(u.Host) {
				return nil, fmt.Errorf("%w: %s exited before %s answered 200 (%v) and the port is in use", ErrAddrTaken, spec.Binary, spec.ReadyURL, cmd.ProcessState)
			}
			return nil, fmt.Errorf("%s exited before %s answered 200 (%v)", spec.Binary, spec.ReadyURL, cmd.ProcessState)
		default:
		}
		if time.Since(begin) > spec.Timeout || ctx.Err() != nil {
			p.Stop()
			return nil, fmt.Errorf("%s not ready after %v (last: %v)", spec.ReadyURL, spec.Timeout, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// addrInUse reports whether hostport cannot be listened on because another
// socket holds it.
func addrInUse(hostport string) bool {
	ln, err := net.Listen("tcp", hostport)
	if err == nil {
		ln.Close()
		return false
	}
	return errors.Is(err, syscall.EADDRINUSE)
}

// ListenerHeld reports whether process pid holds a socket listening on TCP
// port (IPv4 or IPv6): a listening inode of /proc/net/tcp{,6} among the
// sockets of /proc/PID/fd.
func ListenerHeld(pid, port int) (bool, error) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if errors.Is(err, os.ErrNotExist) && table == "/proc/net/tcp6" {
			continue // no IPv6 on this machine
		}
		if err != nil {
			return false, fmt.Errorf("reading listening sockets: %w", err)
		}
		for _, ino := range ParseListeningInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return false, nil
	}
	fds, err := os.ReadDir(procPath(pid, "fd"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // the process has exited: it holds nothing
	}
	if err != nil {
		return false, fmt.Errorf("reading the child's descriptors: %w", err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(procPath(pid, "fd/"+fd.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		if ino, ok := strings.CutPrefix(link, "socket:["); ok && inodes[strings.TrimSuffix(ino, "]")] {
			return true, nil
		}
	}
	return false, nil
}

// ParseListeningInodes returns the inodes of the sockets a /proc/net/tcp
// (or tcp6) table lists as listening (state 0A) on port.
func ParseListeningInodes(table []byte, port int) []string {
	var out []string
	for line := range strings.SplitSeq(string(table), "\n") {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if !ok || err != nil || int(p) != port {
			continue
		}
		out = append(out, f[9])
	}
	return out
}

// PID is the child's process ID.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Settle waits d without traffic and records the resident set as IdleRSS.
func (p *Proc) Settle(d time.Duration) error {
	time.Sleep(d)
	rss, _, err := ProcessMemory(p.PID())
	if err != nil {
		return err
	}
	p.IdleRSS, p.Idle = rss, d
	return nil
}

// CPU is the child's CPU time so far.
func (p *Proc) CPU() (time.Duration, error) { return ProcessCPU(p.PID()) }

// Memory is the child's usage now: idle (from Settle) and peak (VmHWM).
func (p *Proc) Memory() (Memory, error) {
	_, peak, err := ProcessMemory(p.PID())
	return Memory{Name: p.Name, Idle: p.IdleRSS, Peak: peak}, err
}

// Stop interrupts the child and waits for it (killing it after 5s).
func (p *Proc) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Memory is a child's resident memory: idle after start-up and its peak.
type Memory struct {
	Name string
	Idle int64 // VmRSS after a quiet second, bytes
	Peak int64 // VmHWM at the end of the load, bytes
}

// Memory goals of the performance issue, in bytes (decimal megabytes).
const (
	IdleRSSGoal = 25_000_000
	PeakRSSGoal = 64_000_000
)

// MeetsGoal reports whether idle and peak are within IdleRSSGoal and PeakRSSGoal.
func (m Memory) MeetsGoal() bool { return m.Idle <= IdleRSSGoal && m.Peak <= PeakRSSGoal }

// ChildEnv returns name=value pairs for a child environment, sorted by name.
func ChildEnv(vars map[string]string) []string {
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
