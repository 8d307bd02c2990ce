package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Startup is how fast a binary becomes ready and how much memory it holds idle.
type Startup struct {
	// Ready is the time from process start to the first 200 from the health URL.
	Ready time.Duration
	// IdleRSS is the resident set (VmRSS) in bytes after Idle of no traffic.
	IdleRSS int64
	Idle    time.Duration
}

// FreeLoopbackAddr returns a free 127.0.0.1 address for a child process.
func FreeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// MeasureStartup starts binary with args, polls healthURL every
// millisecond until it answers 200 (at most timeout), waits idle, reads the
// process's VmRSS from /proc, and stops it.
func MeasureStartup(ctx context.Context, binary string, args []string, healthURL string, idle, timeout time.Duration) (Startup, error) {
	if err := CheckLoopback(healthURL); err != nil {
		return Startup{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+idle+5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	client := &http.Client{Timeout: 100 * time.Millisecond, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return Startup{}, fmt.Errorf("starting %s: %w", binary, err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	var res Startup
	for {
		resp, err := client.Get(healthURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				res.Ready = time.Since(begin)
				break
			}
		}
		if time.Since(begin) > timeout {
			return res, fmt.Errorf("%s not ready after %v (last error %v)", healthURL, timeout, err)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(idle)
	res.Idle = idle
	rss, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	res.IdleRSS = rss
	return res, nil
}

// vmRSS reads VmRSS (bytes) of a process from /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("reading process status: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS line in /proc/%d/status", pid)
}
