package packaging

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// liveMockEnv turns on TestLiveSuiteAgainstMock (make test-live-mock, which
// .ci/run runs): it compiles and runs the live suite, too slow for make test.
const liveMockEnv = "PACKAGING_LIVE_MOCK"

// TestLiveSuiteAgainstMock runs `make test-live` as a user with a Descope
// project runs it, with bin/mockidp posing as Descope: DESCOPE_BASE_URL
// points at it, and the project ID, client and management key are the
// fixture project's. Every live spec must run and pass (a skipped one fails
// this test: without it the live suite's code would run on no machine but a
// user's), and the drift report of the mock against itself must be empty.
func TestLiveSuiteAgainstMock(t *testing.T) {
	if os.Getenv(liveMockEnv) != "1" {
		t.Skipf("set %s=1 (make test-live-mock) to run the live suite against bin/mockidp", liveMockEnv)
	}
	project := loadFixtureCredentials(t)
	port := freePort(t)
	base := "http://127.0.0.1:" + itoa(port)
	mockEnv := append(environWithout("MOCKIDP_", "DESCOPE_", "HARNESS_"), "MOCKIDP_ADDR=127.0.0.1:"+itoa(port))
	mock := startProcess(t, "mockidp", binPath("mockidp"), []string{"serve"}, mockEnv)
	waitUntil(t, mock, "mockidp healthcheck", func() error {
		out, code, err := runCommand(context.Background(), repoRoot, mockEnv, binPath("mockidp"), "healthcheck")
		if err != nil || code != 0 {
			return fmt.Errorf("exit %d (%v): %s", code, err, strings.TrimSpace(out))
		}
		return nil
	})

	reports := t.TempDir()
	env := append(environWithout("DESCOPE_", "HARNESS_", "MAKE"),
		"DESCOPE_BASE_URL="+base,
		"DESCOPE_PROJECT_ID="+project.ProjectID,
		"DESCOPE_CLIENT_ID="+project.ClientID,
		"DESCOPE_CLIENT_SECRET="+project.ClientSecret,
		"DESCOPE_MANAGEMENT_KEY="+project.ManagementKey,
	)
	// Hang guard only: compiling and running the suite takes seconds.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	argv := []string{"make", "--no-print-directory", "test-live", "REPORTS=" + reports}
	out, code, err := runCommand(ctx, repoRoot, env, argv...)
	if err != nil || code != 0 {
		t.Fatalf("%s against %s: exit %d (%v), want 0:\n%s", strings.Join(argv, " "), base, code, err, lastLines(out, 60))
	}

	live, notPassed := liveSpecs(t, filepath.Join(reports, "live.xml"))
	if live == 0 {
		t.Fatalf("%s: the JUnit report has no live spec:\n%s", strings.Join(argv, " "), lastLines(out, 30))
	}
	for _, spec := range notPassed {
		t.Errorf("live spec not passed against the mock (skipped specs do not count): %s", spec)
	}
	// The mock compared with itself: any difference is a defect of the
	// drift report or of the mock's documents.
	if !strings.Contains(out, "No differences") {
		t.Errorf("the drift report of the mock against itself is not empty:\n%s", lastLines(out, 60))
	}
	t.Logf("%d of %d live specs passed against bin/mockidp posing as Descope", live-len(notPassed), live)
}

// fixtureCredentials are the DESCOPE_* values that make the fixture project
// served by bin/mockidp look like a Descope project to the live suite.
type fixtureCredentials struct {
	ProjectID, ClientID, ClientSecret, ManagementKey string
}

// loadFixtureCredentials reads fixtures/project.yaml: its project ID, the
// first client (admin-client: every role and permission the live specs
// check) and the first management key's secret (the SDKs send
// "<project>:<secret>", as DESCOPE_MANAGEMENT_KEY is used against Descope).
func loadFixtureCredentials(t *testing.T) fixtureCredentials {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "fixtures", "project.yaml"))
	if err != nil {
		t.Fatalf("reading the fixture project: %v", err)
	}
	var p struct {
		ProjectID string `yaml:"project_id"`
		Clients   []struct {
			ID     string `yaml:"id"`
			Secret string `yaml:"secret"`
		} `yaml:"clients"`
		ManagementKeys []struct {
			Secret string `yaml:"secret"`
		} `yaml:"management_keys"`
	}
	if err := yaml.Unmarshal(raw, &p); err != nil {
		t.Fatalf("parsing the fixture project: %v", err)
	}
	if p.ProjectID == "" || len(p.Clients) == 0 || len(p.ManagementKeys) == 0 {
		t.Fatal("the fixture project needs a project_id, a client and a management key for the live suite")
	}
	return fixtureCredentials{ProjectID: p.ProjectID, ClientID: p.Clients[0].ID, ClientSecret: p.Clients[0].Secret,
		ManagementKey: p.ManagementKeys[0].Secret}
}

// liveSpecs reads a Ginkgo JUnit report and returns how many specs carry the
// live label and the names of those whose status is not "passed". Specs
// without the label are in the report as skipped by the label filter.
func liveSpecs(t *testing.T, path string) (live int, notPassed []string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the JUnit report: %v", err)
	}
	var report struct {
		Suites []struct {
			Cases []struct {
				Name   string `xml:"name,attr"`
				Status string `xml:"status,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &report); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	for _, s := range report.Suites {
		for _, c := range s.Cases {
			if !hasLabel(c.Name, "live") {
				continue
			}
			live++
			if c.Status != "passed" {
				notPassed = append(notPassed, c.Status+": "+c.Name)
			}
		}
	}
	return live, notPassed
}

// hasLabel reports whether a Ginkgo JUnit test case name ("[It] text
// [label, label]") carries label.
func hasLabel(name, label string) bool {
	open := strings.LastIndex(name, " [")
	if open < 0 || !strings.HasSuffix(name, "]") {
		return false
	}
	for _, l := range strings.Split(name[open+2:len(name)-1], ",") {
		if strings.TrimSpace(l) == label {
			return true
		}
	}
	return false
}
