package loadgen

import (
	"context"
	"errors"
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

// AddrTries is how many addresses StartOnFreeAddr tries before giving up.
const AddrTries = 5

// StartOnFreeAddr starts the child spec(addr) describes on a free loopback
// address, as StartProc does. FreeLoopbackAddr's port is free when it
// returns but not reserved, so another process can take it before the
// child binds it; such an attempt (ErrAddrTaken) is stopped and discarded,
// and the whole start is made again on a new address, at most AddrTries
// times in all. retried is the number of discarded attempts; the Proc's
// Ready is that of the start that succeeded.
func StartOnFreeAddr(ctx context.Context, spec func(addr string) (ProcSpec, error)) (p *Proc, addr string, retried int, err error) {
	for {
		addr, err = FreeLoopbackAddr()
		if err != nil {
			return nil, "", retried, err
		}
		var s ProcSpec
		if s, err = spec(addr); err != nil {
			return nil, "", retried, err
		}
		p, err = StartProc(ctx, s)
		if err == nil {
			return p, addr, retried, nil
		}
		if !errors.Is(err, ErrAddrTaken) || retried+1 >= AddrTries {
			return nil, "", retried, err
		}
		retried++
	}
}

// MeasureStartupOnFreeAddr starts the child spec(addr) describes on a free
// loopback address (StartOnFreeAddr: attempts that lost their port to
// another process are discarded, counted in retried, and not measured),
// waits idle without traffic, reads its VmRSS from /proc, and stops it.
func MeasureStartupOnFreeAddr(ctx context.Context, spec func(addr string) (ProcSpec, error), idle time.Duration) (res Startup, retried int, err error) {
	p, _, retried, err := StartOnFreeAddr(ctx, spec)
	if err != nil {
		return Startup{}, retried, err
	}
	defer p.Stop()
	res = Startup{Ready: p.Ready}
	if err := p.Settle(idle); err != nil {
		return res, retried, err
	}
	res.IdleRSS, res.Idle = p.IdleRSS, p.Idle
	return res, retried, nil
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
