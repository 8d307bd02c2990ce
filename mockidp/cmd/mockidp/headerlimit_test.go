package main

import (
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// TestHeaderBlockLimit: headers over --max-header-bytes are refused with
// 431 by net/http before the mock's handler runs (so the body is net/http's
// plain text, not a Descope error), and the server keeps serving.
func TestHeaderBlockLimit(t *testing.T) {
	t.Parallel()
	addr := startServing(t, "--max-header-bytes", "4096")
	servertest.OversizedHeadersRefused(t, addr, "/_mock/health", "X-Padding", strings.Repeat("A", 16<<10), "/_mock/health")
}
