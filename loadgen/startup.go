package loadgen

import (
	"context"
	"net"
	"slices"
	"time"
)

// Startup is how fast a binary becomes ready and how much memory it holds idle.
type Startup struct {
	// Ready is the time from process start to the first 200 from the ready URL.
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

// MeasureStartup starts spec's binary, polls its ReadyURL every millisecond
// until it answers 200 (at most spec.Timeout), waits idle, reads the
// process's VmRSS from /proc, and stops it.
func MeasureStartup(ctx context.Context, spec ProcSpec, idle time.Duration) (Startup, error) {
	p, err := StartProc(ctx, spec)
	if err != nil {
		return Startup{}, err
	}
	defer p.Stop()
	res := Startup{Ready: p.Ready}
	if err := p.Settle(idle); err != nil {
		return res, err
	}
	res.IdleRSS, res.Idle = p.IdleRSS, p.Idle
	return res, nil
}

// StartupSummary is the median and worst ready time of several starts and
// their largest idle RSS.
type StartupSummary struct {
	Median, Worst time.Duration
	MaxIdleRSS    int64
}

// SummarizeStartups summarizes starts; the median of an even count is the
// upper middle value. Zero for no starts.
func SummarizeStartups(starts []Startup) StartupSummary {
	if len(starts) == 0 {
		return StartupSummary{}
	}
	ready := make([]time.Duration, len(starts))
	var s StartupSummary
	for i, st := range starts {
		ready[i] = st.Ready
		s.Worst = max(s.Worst, st.Ready)
		s.MaxIdleRSS = max(s.MaxIdleRSS, st.IdleRSS)
	}
	slices.Sort(ready)
	s.Median = ready[len(ready)/2]
	return s
}
