package faults_test

import (
	"testing"

	"github.com/descope-harness/harness/suites/internal/harness"
)

func TestFaults(t *testing.T) {
	harness.RunSuite(t, "Faults Suite")
}
