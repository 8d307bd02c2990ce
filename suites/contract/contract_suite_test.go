package contract_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestContract(t *testing.T) {
	harness.RunSuite(t, "Contract Suite")
}
