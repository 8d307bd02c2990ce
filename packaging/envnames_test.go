package packaging

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readsEnv is the set of environment variables a program reads.
type readsEnv map[string]bool

var usageEnvName = regexp.MustCompile(`\[(MOCKIDP_[A-Z0-9_]+)\]`)

// mockidpEnv lists what bin/mockidp reads: every flag's usage line names
// its environment twin in brackets, in serve -h, token -h and healthcheck -h.
func mockidpEnv(t *testing.T) readsEnv {
	t.Helper()
	names := readsEnv{}
	for _, sub := range []string{"serve", "token", "healthcheck"} {
		out, _, err := runCommand(context.Background(), repoRoot, nil, binPath("mockidp"), sub, "-h")
		if err != nil {
			t.Fatalf("mockidp %s -h: %v", sub, err)
		}
		for _, m := range usageEnvName.FindAllStringSubmatch(out, -1) {
			names[m[1]] = true
		}
	}
	if !names["MOCKIDP_ADDR"] || !names["MOCKIDP_PUBLIC_URL"] {
		t.Fatalf("mockidp usage names no MOCKIDP_ADDR or MOCKIDP_PUBLIC_URL: found %v", names)
	}
	return names
}

// apiEnvReaders are the envParser methods of api/cmd/api whose first
// argument is a variable name.
var apiEnvReaders = map[string]bool{"str": true, "integer": true, "duration": true, "boolean": true,
	"oneOf": true, "level": true, "list": true, "raw": true}

// apiEnv lists what bin/api reads, from its source: the name passed to each
// envParser read (p.str("HOST", …)) and to getenv in api/cmd/api.
func apiEnv(t *testing.T) readsEnv {
	t.Helper()
	names := readsEnv{}
	for _, file := range goFiles(t, filepath.Join(repoRoot, "api", "cmd", "api")) {
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			case *ast.Ident:
				fn = f.Name
			}
			if !apiEnvReaders[fn] && fn != "getenv" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && v == strings.ToUpper(v) {
					names[v] = true
				}
			}
			return true
		})
	}
	for _, want := range []string{"DESCOPE_PROJECT_ID", "DISCOVERY_URL", "HOST", "PORT"} {
		if !names[want] {
			t.Fatalf("found no read of %s in api/cmd/api (found %v): has the config code changed shape?", want, names)
		}
	}
	return names
}

var suitesEnvName = regexp.MustCompile(`^(HARNESS|DESCOPE)_[A-Z0-9_]+$`)

// suitesEnv lists the variables the suites read: the string constants of
// suites/internal/harness that name HARNESS_* or DESCOPE_* variables. ok is
// false when that package does not exist yet.
func suitesEnv(t *testing.T) (names readsEnv, ok bool) {
	t.Helper()
	dir := filepath.Join(repoRoot, "suites", "internal", "harness")
	if _, err := os.Stat(dir); err != nil {
		return nil, false
	}
	names = readsEnv{}
	for _, file := range goFiles(t, dir) {
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for _, v := range spec.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && suitesEnvName.MatchString(s) {
						names[s] = true
					}
				}
			}
			return true
		})
	}
	return names, len(names) > 0
}

// goFiles parses the non-test Go files of dir.
func goFiles(t *testing.T, dir string) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatalf("parsing %s: %v", e.Name(), err)
		}
		files = append(files, f)
	}
	return files
}

// envFor is what the program of kind reads; ok is false when unknown yet.
func envFor(t *testing.T, kind serviceKind) (readsEnv, bool) {
	t.Helper()
	switch kind {
	case kindMockidp:
		return mockidpEnv(t), true
	case kindAPI:
		return apiEnv(t), true
	case kindSuites:
		return suitesEnv(t)
	}
	return nil, false
}
