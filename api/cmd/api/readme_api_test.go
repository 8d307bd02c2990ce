package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// api/README.md's configuration table, like the top-level README's, lists
// exactly the variables loadConfig reads, and every default written as code
// is the real default: setting it changes nothing.
func TestAPIReadmeConfigTable(t *testing.T) {
	t.Parallel()
	rows := servertest.MarkdownTable(t, filepath.Join("..", "..", "README.md"), "| Variable | Default |")
	read := map[string]bool{}
	baseline, err := loadConfig(func(name string) string {
		read[name] = true
		return projectEnv(nil)(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, row := range rows {
		if len(row) != 3 {
			t.Fatalf("row %q has %d cells, want 3", row, len(row))
		}
		name := strings.Trim(row[0], "`")
		documented[name] = true
		if !read[name] {
			t.Errorf("api/README.md documents %s, which loadConfig does not read", name)
		}
		def := row[1]
		if name == "DESCOPE_PROJECT_ID" || !strings.HasPrefix(def, "`") || strings.Contains(def, "{") {
			continue // prose or a template
		}
		value := strings.Trim(def, "`")
		got, err := loadConfig(projectEnv(map[string]string{name: value}))
		if err != nil {
			t.Errorf("%s=%s (the documented default): %v", name, value, err)
		} else if !reflect.DeepEqual(got, baseline) {
			t.Errorf("%s=%s (the documented default) changes the configuration", name, value)
		}
	}
	for name := range read {
		if !documented[name] {
			t.Errorf("loadConfig reads %s, which api/README.md's table does not document", name)
		}
	}
}
