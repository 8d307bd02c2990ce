package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// `api help` documents the configuration without the README at hand (in a
// container, say): every variable loadConfig reads, each with the default
// the README gives it.
func TestHelpListsVariables(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatalf("api help: %v", err)
	}
	lines := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 {
			lines[fields[0]] = line
		}
	}
	read := map[string]bool{}
	if _, err := loadConfig(func(name string) string { read[name] = true; return projectEnv(nil)(name) }); err != nil {
		t.Fatal(err)
	}
	for name := range read {
		if _, ok := lines[name]; !ok {
			t.Errorf("api help does not list %s", name)
		}
	}
	for _, row := range servertest.MarkdownTable(t, filepath.Join("..", "..", "README.md"), "| Variable | Default |") {
		name, def := strings.Trim(row[0], "`"), row[1]
		if !strings.HasPrefix(def, "`") || strings.Contains(def, "{") {
			continue
		}
		if want := "default " + strings.Trim(def, "`") + ";"; !strings.Contains(lines[name], want) {
			t.Errorf("api help: %s line %q, want %q", name, lines[name], want)
		}
	}
}
