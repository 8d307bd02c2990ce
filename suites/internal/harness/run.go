package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported
)

// Settings of RunSuite for suites run with plain `go test` (make test runs
// them that way, beside the unit tests). The ginkgo CLI's flags win.
const (
	// LabelFilterEnv - label filter when none is given (make test: "!live").
	LabelFilterEnv = "HARNESS_LABEL_FILTER"
	// ReportsDirEnv - folder for one JUnit XML report per suite.
	ReportsDirEnv = "HARNESS_REPORTS_DIR"
)

// RunSuite runs the calling package's specs as `make test-suites` runs them
// with the ginkgo CLI: every spec in random order, failing on pending specs
// and on a suite that runs none; plus the settings above.
func RunSuite(t *testing.T, description string) bool {
	RegisterFailHandler(Fail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.RandomizeAllSpecs = true
	suiteConfig.FailOnPending = true
	suiteConfig.FailOnEmpty = true
	if suiteConfig.LabelFilter == "" {
		suiteConfig.LabelFilter = os.Getenv(LabelFilterEnv)
	}
	if dir := os.Getenv(ReportsDirEnv); dir != "" && reporterConfig.JUnitReport == "" {
		name := strings.ToLower(strings.ReplaceAll(description, " ", "-"))
		reporterConfig.JUnitReport = filepath.Join(dir, name+".junit.xml")
	}
	if mockURL := os.Getenv(EnvMockURL); mockURL != "" {
		// go test runs suite packages at the same time; against one
		// external mock they must take turns.
		logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format, args...) }
		if err := lockExternalMock(mockURL, logf); err != nil {
			t.Fatal(err)
		}
	}
	return RunSpecs(t, description, suiteConfig, reporterConfig)
}
