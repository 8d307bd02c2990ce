package main

// The command line: help, flag errors, and the environment twin of every flag.

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

// Asking for help is not a mistake: exit status 0, the help on stdout, and
// the top-level help lists the commands and the serve flags with their
// environment twins.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"mockidp token", "mockidp healthcheck", "-public-url", "MOCKIDP_PUBLIC_URL"}},
		{[]string{"-h"}, []string{"mockidp token", "-addr", "MOCKIDP_ADDR"}},
		{[]string{"help"}, []string{"mockidp token", "-admin-token", "MOCKIDP_ADMIN_TOKEN"}},
		{[]string{"serve", "--help"}, []string{"-addr", "MOCKIDP_ADDR", "-project"}},
		{[]string{"serve", "--addr", "127.0.0.1:1", "-h"}, []string{"-addr"}},
		{[]string{"token", "-h"}, []string{"-client", "-secret", "MOCKIDP_URL"}},
		{[]string{"healthcheck", "--help"}, []string{"-url", "-timeout"}},
		{[]string{"api-env", "-h"}, []string{"-url", "-project", "MOCKIDP_PROJECT"}},
		{[]string{"help"}, []string{"mockidp api-env", "mockidp clients"}},
		{[]string{"clients", "-h"}, []string{"-project", "MOCKIDP_PROJECT"}},
	} {
		var stdout, stderr strings.Builder
		err := run(context.Background(), tc.args, noEnv, &stdout, &stderr)
		if err != nil {
			t.Errorf("mockidp %s: error %v (exit %d), want success", strings.Join(tc.args, " "), err, exitCode(err))
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("mockidp %s: stdout does not mention %q:\n%s", strings.Join(tc.args, " "), w, stdout.String())
			}
		}
		if strings.Contains(stderr.String(), "help requested") {
			t.Errorf("mockidp %s: stderr %q", strings.Join(tc.args, " "), stderr.String())
		}
	}
	// A real mistake is still a usage error (exit 2) with the usage on stderr.
	var stdout, stderr strings.Builder
	err := run(context.Background(), []string{"serve", "--bogus"}, noEnv, &stdout, &stderr)
	if exitCode(err) != 2 || !strings.Contains(stderr.String(), "-addr") {
		t.Errorf("serve --bogus: error %v (exit %d), stderr %q", err, exitCode(err), stderr.String())
	}
}

// A bad public URL is named by its flag and variable, like every other
// setting, and is refused before anything listens.
func TestPublicURLErrorNamesTheFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--public-url", "mockidp:8080"}, nil},
		{nil, map[string]string{"MOCKIDP_PUBLIC_URL": "http://mockidp:8080/base"}},
	} {
		_, err := parseServe(tc.args, func(k string) string { return tc.env[k] }, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), "--public-url (MOCKIDP_PUBLIC_URL)") {
			t.Errorf("args %q env %v: error %v, want one naming --public-url (MOCKIDP_PUBLIC_URL)", tc.args, tc.env, err)
		}
	}
}

// --rotate-every takes "never", as the project file's keys.rotate_every does.
func TestRotateEveryNever(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--rotate-every", "never"}, nil},
		{nil, map[string]string{"MOCKIDP_ROTATE_EVERY": "never"}},
	} {
		cfg, err := parseServe(tc.args, func(k string) string { return tc.env[k] }, &strings.Builder{})
		if err != nil {
			t.Errorf("args %q env %v: %v", tc.args, tc.env, err)
			continue
		}
		if cfg.RotateEvery >= 0 {
			t.Errorf("args %q env %v: RotateEvery = %v, want negative (never)", tc.args, tc.env, cfg.RotateEvery)
		}
	}
	cfg, err := parseServe([]string{"--rotate-every", "90s"}, noEnv, &strings.Builder{})
	if err != nil || cfg.RotateEvery != 90*time.Second {
		t.Errorf("--rotate-every 90s: %v %v", cfg, err)
	}
	// The served mock takes it: scheduled rotation is off.
	addr := startServing(t, "--rotate-every", "never")
	resp, err := http.Get("http://" + addr + "/_mock/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		RotateEvery string `json:"rotate_every"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.RotateEvery != "never" {
		t.Errorf("GET /_mock/keys: rotate_every %q (%v), want never", st.RotateEvery, err)
	}
}

// Every flag has an MOCKIDP_* environment twin (issue 2), the token and
// healthcheck flags included: MOCKIDP_ + the flag name.
func TestClientFlagsHaveEnvironmentTwins(t *testing.T) {
	t.Parallel()
	addr := startServing(t)
	env := map[string]string{"MOCKIDP_URL": "http://" + addr, "MOCKIDP_CLIENT": "reader-client",
		"MOCKIDP_SECRET": "reader-secret", "MOCKIDP_SCOPE": "openid", "MOCKIDP_TIMEOUT": "5s"}
	getenv := func(k string) string { return env[k] }
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"token"}, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("token from the environment: %v (stderr %s)", err, stderr.String())
	}
	if parts := strings.Split(strings.TrimSpace(stdout.String()), "."); len(parts) != 3 {
		t.Errorf("token printed %q, want a JWT", stdout.String())
	}
	env["MOCKIDP_SECRET"] = "wrong" // proves the secret came from the environment
	if err := run(context.Background(), []string{"token"}, getenv, &strings.Builder{}, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("token with MOCKIDP_SECRET=wrong: %v, want a 401", err)
	}
	if err := run(context.Background(), []string{"healthcheck"}, getenv, &strings.Builder{}, &strings.Builder{}); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
	env["MOCKIDP_TIMEOUT"] = "soon"
	if err := run(context.Background(), []string{"healthcheck"}, getenv, &strings.Builder{}, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "MOCKIDP_TIMEOUT") {
		t.Errorf("healthcheck with MOCKIDP_TIMEOUT=soon: %v, want an error naming it", err)
	}
	var help strings.Builder
	_ = run(context.Background(), []string{"token", "-h"}, noEnv, &help, &strings.Builder{})
	for _, v := range []string{"MOCKIDP_CLIENT", "MOCKIDP_SECRET", "MOCKIDP_SCOPE"} {
		if !strings.Contains(help.String(), v) {
			t.Errorf("token -h does not name %s:\n%s", v, help.String())
		}
	}
}

// api-env prints what bin/api must trust for a mock at --url serving the
// project (the mock's own parse of the file, with MOCKIDP_PROJECT as the
// default file), and refuses a bad URL or project file with the reason.
func TestAPIEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	apps := filepath.Join(dir, "apps.yaml")
	if err := os.WriteFile(apps, []byte("project_id: P2AppsProject000000000000000\nissuer_form: apps\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bogus := filepath.Join(dir, "bogus.yaml")
	if err := os.WriteFile(bogus, []byte("project_id: P2AppsProject000000000000000\nissuer_form: bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // stdout, or for a failure a part of the error
		code int
	}{
		{"embedded project", []string{"api-env", "--url", "http://127.0.0.1:18080/"}, nil,
			"DESCOPE_PROJECT_ID=P2MockDescopeHarness00000001\n" +
				"DISCOVERY_URL=http://127.0.0.1:18080/P2MockDescopeHarness00000001/.well-known/openid-configuration\n" +
				"EXTRA_ISSUERS=http://127.0.0.1:18080/v1/apps/P2MockDescopeHarness00000001\n", 0},
		{"project file from MOCKIDP_PROJECT, URL from MOCKIDP_ADDR", []string{"api-env"},
			map[string]string{"MOCKIDP_PROJECT": apps, "MOCKIDP_ADDR": "0.0.0.0:9090"},
			"DESCOPE_PROJECT_ID=P2AppsProject000000000000000\n" +
				"DISCOVERY_URL=http://127.0.0.1:9090/v1/apps/P2AppsProject000000000000000/.well-known/openid-configuration\n" +
				"EXTRA_ISSUERS=\n", 0},
		{"bad project file", []string{"api-env", "--project", bogus}, nil, bogus + `:2: issuer_form: "bogus" is not one of`, 1},
		{"bad URL", []string{"api-env", "--url", "ftp://idp"}, nil, "--url (MOCKIDP_URL)", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr strings.Builder
			err := run(context.Background(), tc.args, env(tc.env), &stdout, &stderr)
			if tc.code == 0 {
				if err != nil || stdout.String() != tc.want {
					t.Fatalf("mockidp %s: error %v, stdout\n%s\nwant\n%s", strings.Join(tc.args, " "), err, stdout.String(), tc.want)
				}
				return
			}
			if err == nil || exitCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("mockidp %s: error %v (exit %d), want exit %d and %q", strings.Join(tc.args, " "), err, exitCode(err), tc.code, tc.want)
			}
		})
	}
}

// clients prints the project's clients as "ID SECRET" lines, in the file's
// order, from MOCKIDP_PROJECT or --project (the embedded project by default).
func TestClients(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte("clients:\n  - {id: zed, secret: z s}\n  - {id: abe, secret: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"clients"}, nil, "admin-client admin-secret\nreader-client reader-secret\ntenant-client tenant-secret\nbare-client bare-secret\n"},
		{[]string{"clients", "--project", file}, nil, "zed z s\nabe a\n"},
		{[]string{"clients"}, map[string]string{"MOCKIDP_PROJECT": file}, "zed z s\nabe a\n"},
	} {
		var stdout strings.Builder
		err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &stdout, &strings.Builder{})
		if err != nil || stdout.String() != tc.want {
			t.Errorf("mockidp %s (env %v): error %v, stdout %q, want %q", strings.Join(tc.args, " "), tc.env, err, stdout.String(), tc.want)
		}
	}
	if err := run(context.Background(), []string{"clients", "--project", filepath.Join(t.TempDir(), "none.yaml")}, noEnv, &strings.Builder{}, &strings.Builder{}); err == nil {
		t.Error("clients with a missing project file: got nil, want an error")
	}
}
