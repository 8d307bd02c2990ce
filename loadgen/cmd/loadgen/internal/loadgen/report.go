package loadgen

import (
	"fmt"
	"io"
	"time"
)

// Print writes a report as aligned text.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "scenario %s: %s\n", r.Scenario.Name, r.Scenario.Description)
	line := func(label string, res Result) {
		fmt.Fprintf(w, "  %-8s %-48s workers=%-3d requests=%-8d errors=%-4d %10.0f/s  p50=%-9s p99=%s\n",
			label, res.Name, res.Workers, res.Requests, res.Errors, res.PerSecond(), round(res.P50), round(res.P99))
		if res.CPU > 0 {
			fmt.Fprintf(w, "           cpu %.2fs in %.2fs (%.2f cores): %.0f per cpu-second\n",
				res.CPU.Seconds(), res.Elapsed.Seconds(), res.CoresUsed(), res.PerCPUSecond())
		}
		if res.FirstError != nil {
			fmt.Fprintf(w, "           first error: %v\n", res.FirstError)
		}
	}
	line("target", r.Target)
	line("baseline", r.Baseline)
	verdict := ""
	switch {
	case r.Scenario.MinRatio > 0 && r.Ratio() >= r.Scenario.MinRatio && r.Target.Errors == 0:
		verdict = fmt.Sprintf(" (goal >= %.2f: met)", r.Scenario.MinRatio)
	case r.Scenario.MinRatio > 0:
		verdict = fmt.Sprintf(" (goal >= %.2f: NOT met)", r.Scenario.MinRatio)
	}
	unit := ""
	if r.Scenario.PerCPU {
		unit = " (per cpu-second)"
	}
	fmt.Fprintf(w, "  ratio    %.2f%s%s\n", r.Ratio(), unit, verdict)
	if !r.Scenario.PerCPU && r.Target.CPU > 0 && r.Baseline.CPU > 0 {
		fmt.Fprintf(w, "           per cpu-second: %.2f (both sides' CPU time read from /proc; less sensitive to other load on the machine)\n",
			ratio(r.Target.PerCPUSecond(), r.Baseline.PerCPUSecond()))
	}
	for _, n := range r.Notes {
		mark := ""
		if n.Missed {
			mark = " (NOT met)"
		}
		fmt.Fprintf(w, "  note     %s%s\n", n.Text, mark)
	}
	for _, m := range r.Memory {
		met := "met"
		if !m.MeetsGoal() {
			met = "NOT met"
		}
		fmt.Fprintf(w, "  memory   %s: idle %s, peak %s (goals <= 25 MB idle, <= 64 MB peak: %s)\n", m.Name, MiB(m.Idle), MiB(m.Peak), met)
	}
}

// MiB formats bytes as mebibytes with the decimal megabytes beside them.
func MiB(b int64) string {
	return fmt.Sprintf("%.1f MiB (%.1f MB)", float64(b)/(1<<20), float64(b)/1e6)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(100 * time.Nanosecond)
	}
}
