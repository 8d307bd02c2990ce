package oidc_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestOIDC(t *testing.T) {
	harness.RunSuite(t, "OIDC Suite")
}
