package rotation_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestRotation(t *testing.T) {
	harness.RunSuite(t, "Rotation Suite")
}
