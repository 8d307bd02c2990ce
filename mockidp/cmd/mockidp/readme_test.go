package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// readmeTable returns the rows (cells without backticks) of the first table
// in README.md whose header row starts with header.
func readmeTable(t *testing.T, header string) [][]string {
	t.Helper()
	rows := servertest.MarkdownTable(t, filepath.Join("..", "..", "..", "README.md"), header)
	for _, row := range rows {
		for i, c := range row {
			row[i] = strings.Trim(c, "`")
		}
	}
	return rows
}

// TestReadmeConfigTable keeps README.md's mockidp table true: one row per
// serve flag, in the same order, with its environment twin and default.
func TestReadmeConfigTable(t *testing.T) {
	t.Parallel()
	rows := readmeTable(t, "| Flag | Environment | Default |")
	opts := (&serveConfig{}).options()
	if len(rows) != len(opts) {
		t.Errorf("README lists %d flags, serve has %d", len(rows), len(opts))
	}
	for i, o := range opts {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			if i >= len(rows) {
				t.Fatalf("--%s is missing from the README table", o.name)
			}
			row := rows[i]
			if len(row) != 4 {
				t.Fatalf("row %q has %d cells, want 4", row, len(row))
			}
			wantDefault := o.def
			if wantDefault == "" {
				wantDefault = "—"
			}
			for _, c := range []struct{ what, got, want string }{
				{"flag", row[0], "--" + o.name},
				{"environment", row[1], envName(o.name)},
				{"default", row[2], wantDefault},
			} {
				if c.got != c.want {
					t.Errorf("README row %d %s = %q, want %q", i+1, c.what, c.got, c.want)
				}
			}
			if row[3] == "" {
				t.Errorf("README row for --%s has no meaning", o.name)
			}
		})
	}
}
