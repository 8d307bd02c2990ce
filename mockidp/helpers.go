package mockidp

import (
	"context"
	"strings"
	"time"
)

// Small helpers shared by the whole package. The standard library's
// (slices.Contains, strconv, ...) are used directly rather than wrapped.

// truncate shortens s to n bytes for an error message or a log line.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// resolveRelative resolves p, a path in a project file, against that file's folder.
func resolveRelative(projectFile, p string) string {
	if projectFile == "" || strings.HasPrefix(p, "/") {
		return p
	}
	if i := strings.LastIndexByte(projectFile, '/'); i >= 0 {
		return projectFile[:i+1] + p
	}
	return p
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
