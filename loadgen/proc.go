package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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

// StartProc starts spec's binary and waits until its ReadyURL answers 200.
// The child is stopped (SIGINT, then SIGKILL after 5s) by Stop, and killed
// when ctx ends.
func StartProc(ctx context.Context, spec ProcSpec) (*Proc, error) {
	if err := CheckLoopback(spec.ReadyURL); err != nil {
		return nil, err
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
				return p, nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		select {
		case <-p.done:
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
