package mockidp_test

// Project-file mistakes stop start-up naming the file, line and field.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// Two access keys with one secret are refused in the project file, as the
// control plane refuses them: otherwise which key an exchange gets is chance.
func TestDuplicateAccessKeySecrets(t *testing.T) {
	t.Parallel()
	_, err := mockidp.ParseProject("p.yaml", []byte("project_id: P1Project0000000000000000000\naccess_keys:\n  - id: K1\n    secret: s\n  - id: K2\n    secret: s\n"))
	var ce *mockidp.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseProject: %v, want a ConfigError", err)
	}
	if ce.File != "p.yaml" || ce.Line != 6 || ce.Field != "access_keys[1].secret" {
		t.Errorf("ConfigError %+v, want p.yaml line 6 access_keys[1].secret", ce)
	}
}

// A key file the project names that cannot be read is reported with the
// project file and the field that named it.
func TestPEMFileErrorNamesProjectFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "project.yaml")
	if err := os.WriteFile(file, []byte("project_id: P1Project0000000000000000000\nkeys:\n  pem_files: [missing.pem]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := mockidp.LoadProject(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mockidp.New(mockidp.Config{Project: p, ProjectFile: file})
	if err == nil {
		t.Fatal("New with unreadable pem_files succeeded")
	}
	for _, want := range []string{file, "keys.pem_files[0]", "missing.pem"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// Project-file type mistakes are explained in YAML's terms (a mapping, a
// list, a string), not Go's (mockidp.Project, map[string]interface {}).
func TestProjectTypeErrorsSpeakYAML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		yaml, field string
		line        int
		want        []string
	}{
		{"- a\n- b\n", "", 1, []string{"mapping", "list"}},
		{"project_id: P1Project0000000000000000000\nclients:\n  - id: a\n    secret: s\n    claims: [1]\n", "clients[0].claims", 5, []string{"mapping", "list"}},
		{"project_id: P1Project0000000000000000000\nkeys:\n  keep: many\n", "keys.keep", 3, []string{"whole number", "many"}},
		{"project_id: P1Project0000000000000000000\nclients:\n  - id: a\n    secret: s\n    scopes: openid\n", "clients[0].scopes", 5, []string{"list", "openid"}},
		{"project_id: P1Project0000000000000000000\nclients: {a: 1}\n", "clients", 2, []string{"list", "mapping"}},
	} {
		_, err := mockidp.ParseProject("p.yaml", []byte(tc.yaml))
		var ce *mockidp.ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want a ConfigError", tc.yaml, err)
			continue
		}
		if ce.Line != tc.line || !strings.HasPrefix(ce.Field, tc.field) {
			t.Errorf("%q: line %d field %q, want %d %q", tc.yaml, ce.Line, ce.Field, tc.line, tc.field)
		}
		for _, w := range tc.want {
			if !strings.Contains(ce.Reason, w) {
				t.Errorf("%q: reason %q does not mention %q", tc.yaml, ce.Reason, w)
			}
		}
		for _, bad := range []string{"mockidp.", "interface", "!!", "[]string", "unmarshal"} {
			if strings.Contains(ce.Reason, bad) {
				t.Errorf("%q: reason %q speaks Go or YAML tags (%q)", tc.yaml, ce.Reason, bad)
			}
		}
	}
}
