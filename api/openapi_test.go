package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// served fetches and decodes /openapi.json.
func served(t *testing.T, s *Server) map[string]any {
	t.Helper()
	w := do(t, s, request{path: "/openapi.json"})
	if w.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: got %d, want 200", w.Code)
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// Every route registered in the router is in openapi.json, and every
// operation in openapi.json is a registered route.
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{})
	var registered []string
	err := s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, err := route.GetMethods()
		if err != nil {
			return err
		}
		for _, m := range methods {
			if m != http.MethodHead { // HEAD rides along with every GET
				registered = append(registered, m+" "+path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the router: %v", err)
	}

	var documented []string
	paths, _ := served(t, s)["paths"].(map[string]any)
	for path, item := range paths {
		for method := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(registered)
	sort.Strings(documented)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is registered but not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("operation %s is in openapi.json but not registered", d)
		}
	}
	if len(registered) < 19 {
		t.Errorf("registered routes: got %d, want at least the 19 of the contract and this port", len(registered))
	}
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc := served(t, newTestServer(t, fakeAuth{}))
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf("openapi version: got %q, want 3.1.x", v)
	}
	components := doc["components"].(map[string]any)
	scheme, _ := components["securitySchemes"].(map[string]any)["bearerAuth"].(map[string]any)
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		t.Errorf("bearerAuth scheme: got %v, want type http, scheme bearer", scheme)
	}

	// Every $ref resolves.
	var refs []string
	collectRefs(doc, &refs)
	for _, ref := range refs {
		if resolve(doc, ref) == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	}

	// Each error status of the contract has a documented body.
	paths := doc["paths"].(map[string]any)
	wantSchema := map[string]string{
		"401": "DetailError", "403": "AuthorizationError", "404": "DetailError", "405": "DetailError",
		"422": "ValidationError", "500": "DetailError", "503": "DetailError",
	}
	seen := map[string]bool{}
	for _, item := range paths {
		for _, op := range item.(map[string]any) {
			for code, resp := range op.(map[string]any)["responses"].(map[string]any) {
				r := resp.(map[string]any)
				if ref, ok := r["$ref"].(string); ok {
					r = resolve(doc, ref).(map[string]any)
				}
				schemaRef := resolve(r, "#/content/application~1json/schema/$ref")
				if want, ok := wantSchema[code]; ok && schemaRef == "#/components/schemas/"+want {
					seen[code] = true
				}
			}
		}
	}
	for code := range wantSchema {
		if !seen[code] {
			t.Errorf("status %s: no operation documents its %s body", code, wantSchema[code])
		}
	}

	// Public operations need no token; protected ones inherit bearerAuth.
	for _, path := range []string{"/", "/health", "/ready", "/metrics", "/docs", "/openapi.json", "/docs/assets/{file}"} {
		op := paths[path].(map[string]any)["get"].(map[string]any)
		if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
			t.Errorf("GET %s security: got %v, want []", path, op["security"])
		}
	}
	if _, ok := paths["/api/me"].(map[string]any)["get"].(map[string]any)["security"]; ok {
		t.Error("GET /api/me: overrides security, want the global bearerAuth")
	}
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}

// resolve follows a local JSON pointer reference "#/a/b", or returns nil.
func resolve(doc map[string]any, ref string) any {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}
