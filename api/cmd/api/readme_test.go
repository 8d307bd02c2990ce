package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// recordingEnv answers from vars and remembers every name asked for.
type recordingEnv struct {
	mu   sync.Mutex
	vars map[string]string
	read map[string]bool
}

func (r *recordingEnv) getenv(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read[name] = true
	return r.vars[name]
}

// baseProject is the only variable without a default.
const baseProject = "P2MockDescopeHarness00000001"

// TestReadmeConfigTable keeps the configuration tables of README.md and
// api/README.md true: each lists exactly the variables loadConfig reads, and
// every default written as code (in backticks) is the real default: setting
// it changes nothing.
func TestReadmeConfigTable(t *testing.T) {
	t.Parallel()
	for name, path := range map[string]string{
		"README.md":     filepath.Join("..", "..", "..", "README.md"),
		"api/README.md": filepath.Join("..", "..", "README.md"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkConfigTable(t, path)
		})
	}
}

func checkConfigTable(t *testing.T, readme string) {
	t.Helper()
	rows := servertest.MarkdownTable(t, readme, "| Variable | Default |")
	rec := &recordingEnv{vars: map[string]string{"DESCOPE_PROJECT_ID": baseProject}, read: map[string]bool{}}
	baseline, err := loadConfig(rec.getenv)
	if err != nil {
		t.Fatalf("loadConfig with only DESCOPE_PROJECT_ID: %v", err)
	}

	documented := map[string]bool{}
	for _, row := range rows {
		if len(row) != 3 {
			t.Fatalf("row %q has %d cells, want 3", row, len(row))
		}
		name := strings.Trim(row[0], "`")
		documented[name] = true
		if !rec.read[name] {
			t.Errorf("%s documents %s, which loadConfig does not read", readme, name)
		}
		def := row[1]
		if name == "DESCOPE_PROJECT_ID" || !strings.HasPrefix(def, "`") || strings.Contains(def, "{") {
			continue // prose or a template: not a literal default
		}
		value := strings.Trim(def, "`")
		env := map[string]string{"DESCOPE_PROJECT_ID": baseProject, name: value}
		got, err := loadConfig(func(k string) string { return env[k] })
		if err != nil {
			t.Errorf("%s=%s (the documented default): %v", name, value, err)
		} else if !reflect.DeepEqual(got, baseline) {
			t.Errorf("%s=%s (the documented default) gives %+v, want the unset default %+v", name, value, got, baseline)
		}
	}
	for name := range rec.read {
		if !documented[name] {
			t.Errorf("loadConfig reads %s, which the table of %s does not document", name, readme)
		}
	}
}
