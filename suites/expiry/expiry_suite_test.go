package expiry_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestExpiry(t *testing.T) {
	harness.RunSuite(t, "Expiry Suite")
}
