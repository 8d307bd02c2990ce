package live_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestLive(t *testing.T) {
	harness.RunSuite(t, "Live Suite")
}
