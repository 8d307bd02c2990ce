package security_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestSecurity(t *testing.T) {
	harness.RunSuite(t, "Security Suite")
}
