package authz_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestAuthz(t *testing.T) {
	harness.RunSuite(t, "Authz Suite")
}
