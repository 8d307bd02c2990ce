package mockidp_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// TestParseProjectErrors feeds broken project files to ParseProject: each
// error is a *ConfigError naming the file, the line and the field at fault.
func TestParseProjectErrors(t *testing.T) {
	t.Parallel()
	const file = "broken.yaml"
	tests := []struct {
		name       string
		yaml       string
		wantLine   int
		wantField  string
		wantReason string // a substring of Reason
	}{
		{
			name:       "unknown top-level field",
			yaml:       "project_id: P2TestProject000000000000000\ncolour: red\n",
			wantLine:   2,
			wantField:  "colour",
			wantReason: "unknown field",
		},
		{
			name:       "unknown client field",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n    scope: [openid]\n",
			wantLine:   5,
			wantField:  "clients[0].scope",
			wantReason: "unknown field",
		},
		{
			name:       "token TTL below a second",
			yaml:       "project_id: P2TestProject000000000000000\ntoken_ttl: 10ms\n",
			wantLine:   2,
			wantField:  "token_ttl",
			wantReason: "at least 1s",
		},
		{
			name:       "duplicate client",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n  - id: a\n    secret: t\n",
			wantLine:   5,
			wantField:  "clients[1].id",
			wantReason: "duplicate client",
		},
		{
			name: "current tenant not in tenants",
			yaml: "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n    tenants:\n      T1:\n        roles: [x]\n" +
				"    current_tenant: T2\n",
			wantLine:   8,
			wantField:  "clients[0].current_tenant",
			wantReason: "not one of the client's tenants",
		},
		{
			name:       "default scope not in scopes",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n    scopes: [openid]\n    default_scopes: [openid, email]\n",
			wantLine:   6,
			wantField:  "clients[0].default_scopes[1]",
			wantReason: "not in the client's scopes",
		},
		{
			name:       "reserved custom claim",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n    claims:\n      name: A\n      sub: someone\n",
			wantLine:   7,
			wantField:  "clients[0].claims.sub",
			wantReason: "reserved claim",
		},
		{
			name:       "reserved access-key claim",
			yaml:       "project_id: P2TestProject000000000000000\naccess_keys:\n  - id: K1\n    secret: s\n    claims:\n      drn: x\n",
			wantLine:   6,
			wantField:  "access_keys[0].claims.drn",
			wantReason: "reserved claim",
		},
		{
			name:       "project ID of 32 characters",
			yaml:       "project_id: P" + strings.Repeat("a", 31) + "\n",
			wantLine:   1,
			wantField:  "project_id",
			wantReason: "regional IDs are refused",
		},
		{
			name:       "project ID with a dash",
			yaml:       "# comment\nproject_id: P2-Test" + strings.Repeat("0", 20) + "\n",
			wantLine:   2,
			wantField:  "project_id",
			wantReason: `"P" followed by 27 letters or digits`,
		},
		{
			name:       "short project ID",
			yaml:       "project_id: short\n",
			wantLine:   1,
			wantField:  "project_id",
			wantReason: `"P" followed by 27 letters or digits`,
		},
		{
			name:       "project ID without the P",
			yaml:       "project_id: X2MockDescopeHarness00000001\n",
			wantLine:   1,
			wantField:  "project_id",
			wantReason: `"P" followed by 27 letters or digits`,
		},
		{
			name:       "project ID of 2 characters",
			yaml:       "project_id: P1\n",
			wantLine:   1,
			wantField:  "project_id",
			wantReason: `"P" followed by 27 letters or digits`,
		},
		{
			name:       "bad issuer form",
			yaml:       "project_id: P2TestProject000000000000000\nissuer_form: oidc\n",
			wantLine:   2,
			wantField:  "issuer_form",
			wantReason: "not one of url, apps, project",
		},
		{
			name:       "client without secret",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n",
			wantLine:   3,
			wantField:  "clients[0].secret",
			wantReason: "required",
		},
		{
			name:       "access key secret with a colon",
			yaml:       "project_id: P2TestProject000000000000000\naccess_keys:\n  - id: K1\n    secret: a:b\n",
			wantLine:   4,
			wantField:  "access_keys[0].secret",
			wantReason: "must not contain ':'",
		},
		{
			name:       "keep out of range",
			yaml:       "project_id: P2TestProject000000000000000\nkeys:\n  keep: 5000\n",
			wantLine:   3,
			wantField:  "keys.keep",
			wantReason: "between 1 and 1000",
		},
		{
			name:       "empty file",
			yaml:       "",
			wantLine:   0,
			wantField:  "",
			wantReason: "empty",
		},
		{
			name:       "comments only",
			yaml:       "# nothing here\n",
			wantLine:   0,
			wantField:  "",
			wantReason: "empty",
		},
		{
			name:       "YAML syntax error",
			yaml:       "project_id: P2TestProject000000000000000\nkeys:\n\tkeep: 3\n",
			wantLine:   3,
			wantField:  "",
			wantReason: "cannot start any token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := mockidp.ParseProject(file, []byte(tt.yaml))
			if err == nil {
				t.Fatalf("got project %+v, want an error", p)
			}
			var ce *mockidp.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error: got %T %q, want *mockidp.ConfigError", err, err)
			}
			if ce.File != file {
				t.Errorf("File: got %q, want %q", ce.File, file)
			}
			if ce.Line != tt.wantLine {
				t.Errorf("Line: got %d, want %d (error %q)", ce.Line, tt.wantLine, err)
			}
			if ce.Field != tt.wantField {
				t.Errorf("Field: got %q, want %q (error %q)", ce.Field, tt.wantField, err)
			}
			if !strings.Contains(ce.Reason, tt.wantReason) || ce.Reason == "" {
				t.Errorf("Reason: got %q, want it to contain %q", ce.Reason, tt.wantReason)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, file) {
				t.Errorf("Error(): got %q, want it to start with the file name", msg)
			}
		})
	}
}

// TestParseProjectDecodeErrors covers errors raised while YAML decodes a
// value (a bad duration, a value of the wrong type): like every other
// project-file error they must name the line and the field.
func TestParseProjectDecodeErrors(t *testing.T) {
	t.Parallel()
	const file = "broken.yaml"
	tests := []struct {
		name       string
		yaml       string
		wantLine   int
		wantField  string
		wantReason string
	}{
		{
			name:       "bad duration",
			yaml:       "project_id: P2TestProject000000000000000\ntoken_ttl: soon\n",
			wantLine:   2,
			wantField:  "token_ttl",
			wantReason: "invalid duration",
		},
		{
			name:       "bad client duration",
			yaml:       "project_id: P2TestProject000000000000000\nclients:\n  - id: a\n    secret: s\n    ttl: 5 minutes\n",
			wantLine:   5,
			wantField:  "clients[0].ttl",
			wantReason: "invalid duration",
		},
		{
			name:       "wrong type",
			yaml:       "project_id: P2TestProject000000000000000\nclients: yes-please\n",
			wantLine:   2,
			wantField:  "clients",
			wantReason: "want a list, got a string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mockidp.ParseProject(file, []byte(tt.yaml))
			var ce *mockidp.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error: got %T %v, want *mockidp.ConfigError", err, err)
			}
			if ce.File != file || ce.Line != tt.wantLine || ce.Field != tt.wantField || !strings.Contains(ce.Reason, tt.wantReason) {
				t.Errorf("got file %q line %d field %q reason %q, want %q line %d field %q reason containing %q",
					ce.File, ce.Line, ce.Field, ce.Reason, file, tt.wantLine, tt.wantField, tt.wantReason)
			}
		})
	}
}

// TestParseProjectDefaults checks the defaults a minimal file gets.
func TestParseProjectDefaults(t *testing.T) {
	t.Parallel()
	p, err := mockidp.ParseProject("min.yaml", []byte("clients:\n  - id: a\n    secret: s\n    ttl: 90\n"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", p.ID, mockidp.DefaultProjectID},
		{"IssuerForm", p.IssuerForm, mockidp.IssuerURL},
		{"TokenTTL", time.Duration(p.TokenTTL), mockidp.DefaultTokenTTL},
		{"AccessKeyTTL", time.Duration(p.AccessKeyTTL), mockidp.DefaultTokenTTL},
		{"RotateEvery", time.Duration(p.Keys.RotateEvery), mockidp.DefaultRotateEvery},
		{"Keep", p.Keys.Keep, mockidp.DefaultKeep},
		{"client TTL in whole seconds", time.Duration(p.Clients[0].TTL), 90 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	never, err := mockidp.ParseProject("never.yaml", []byte("keys:\n  rotate_every: never\n"))
	if err != nil {
		t.Fatal(err)
	}
	if never.Keys.RotateEvery >= 0 {
		t.Errorf("rotate_every never: got %v, want a negative duration", never.Keys.RotateEvery)
	}
}

// TestDefaultProject checks the embedded default file defines what the
// README, suites and API docs rely on.
func TestDefaultProject(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	if p.ID != mockidp.DefaultProjectID {
		t.Errorf("ID: got %q, want %q", p.ID, mockidp.DefaultProjectID)
	}
	want := map[string]string{"admin-client": "admin-secret", "reader-client": "reader-secret", "tenant-client": "tenant-secret", "bare-client": "bare-secret"}
	for _, c := range p.Clients {
		if want[c.ID] != c.Secret {
			t.Errorf("client %q: got secret %q, want %q", c.ID, c.Secret, want[c.ID])
		}
		delete(want, c.ID)
	}
	if len(want) != 0 {
		t.Errorf("missing clients: %v", want)
	}
	if len(p.AccessKeys) == 0 || len(p.AccessKeys[0].Roles) == 0 {
		t.Errorf("access keys: got %+v, want one with roles", p.AccessKeys)
	}
}

// TestLoadProject reads a file from disk and reports a missing one.
func TestLoadProject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "project.yaml")
	if err := os.WriteFile(path, fixtures.ProjectYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := mockidp.LoadProject(path)
	if err != nil {
		t.Fatalf("LoadProject: %v", err)
	}
	if len(p.Clients) != 4 {
		t.Errorf("clients: got %d, want 4", len(p.Clients))
	}
	if _, err := mockidp.LoadProject(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want an error wrapping os.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("project_id: P2TestProject000000000000000\nissuer_form: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var ce *mockidp.ConfigError
	if _, err := mockidp.LoadProject(bad); !errors.As(err, &ce) || ce.File != bad || ce.Line != 2 {
		t.Errorf("bad file: got %v, want a ConfigError naming %s line 2", err, bad)
	}
}
