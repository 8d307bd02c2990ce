package mockidp_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestMockidp runs the Ginkgo specs of the issuer (every spec is labelled
// offline: it needs nothing but loopback networking). The plain testing
// tests of this package (real clients, project files, Go API, concurrency,
// benchmarks) run beside it under go test.
//
// Why this package has both frameworks: the Ginkgo specs are the issuer's
// HTTP surface written as a behaviour specification, endpoint by endpoint
// (Describe an endpoint, When a circumstance, It one answer; DescribeTable
// for the preset and fault matrices), and read as the mock's documentation
// of Descope's behaviour; the plain tests are unit and table tests of the Go
// API, as everywhere else. New unit tests use testing.
//
// It is parallel like them: the
// specs run one after another and share nothing with the other tests, and
// a serial top-level test would hold every parallel one back until its
// specs end.
func TestMockidp(t *testing.T) {
	t.Parallel()
	RegisterFailHandler(Fail)
	RunSpecs(t, "mockidp issuer suite")
}
