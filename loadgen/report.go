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
		if res.FirstError != nil {
			fmt.Fprintf(w, "           first error: %v\n", res.FirstError)
		}
	}
	line("target", r.Target)
	line("baseline", r.Baseline)
	verdict := ""
	switch {
	case r.Scenario.MinRatio > 0 && r.MeetsGoal():
		verdict = fmt.Sprintf(" (goal >= %.2f: met)", r.Scenario.MinRatio)
	case r.Scenario.MinRatio > 0:
		verdict = fmt.Sprintf(" (goal >= %.2f: NOT met)", r.Scenario.MinRatio)
	}
	fmt.Fprintf(w, "  ratio    %.2f%s\n", r.Ratio(), verdict)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(100 * time.Nanosecond)
	}
}
