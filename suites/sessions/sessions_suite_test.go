package sessions_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestSessions(t *testing.T) {
	harness.RunSuite(t, "Sessions Suite")
}
