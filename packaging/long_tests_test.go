package packaging

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLongTestsExist: make test runs -short and every long test skips
// itself there; make test-long runs them by the names in LONG_TESTS from the
// folders in LONG_PKGS. A test renamed or moved would silently leave both
// runs, so each name must be a test that skips under -short in one of those
// folders.
func TestLongTestsExist(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`(?m)^LONG_TESTS *= *(.+)$`).FindSubmatch(raw)
	pkgs := regexp.MustCompile(`(?m)^LONG_PKGS *= *(.+)$`).FindSubmatch(raw)
	if names == nil || pkgs == nil {
		t.Fatal("the Makefile sets no LONG_TESTS or LONG_PKGS")
	}
	var sources []string
	for _, pkg := range strings.Fields(string(pkgs[1])) {
		dir := filepath.Join(repoRoot, strings.TrimSuffix(pkg, "..."))
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != dir && !strings.HasSuffix(pkg, "...") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, "_test.go") {
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				sources = append(sources, string(b))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("LONG_PKGS %s: %v", pkg, err)
		}
	}
	for _, name := range strings.Split(strings.TrimSpace(string(names[1])), "|") {
		body := regexp.MustCompile(`func ` + regexp.QuoteMeta(name) + `\(t \*testing\.T\) \{\n(?:\tt\.Parallel\(\)\n)?\tif testing\.Short\(\) \{`)
		found := false
		for _, src := range sources {
			found = found || body.MatchString(src)
		}
		if !found {
			t.Errorf("LONG_TESTS names %s: no such test in LONG_PKGS that starts by skipping under -short", name)
		}
	}
}
