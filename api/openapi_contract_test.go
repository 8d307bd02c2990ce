package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// operationIds are what client generators name methods after: each is
// unique and says more than the HTTP method.
func TestOpenAPIOperationIDs(t *testing.T) {
	t.Parallel()
	paths := served(t, newTestServer(t, fakeAuth{}))["paths"].(map[string]any)
	seen := map[string]string{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			id, _ := op.(map[string]any)["operationId"].(string)
			where := strings.ToUpper(method) + " " + path
			if id == "" || id == method {
				t.Errorf("%s: operationId %q names only the method", where, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("%s and %s share operationId %q", where, other, id)
			}
			seen[id] = where
		}
	}
}

// The error responses document what the contract's error table puts in
// them: the 403's insufficient_scope challenge, and the 401's error-detail
// body.
func TestOpenAPIErrorResponses(t *testing.T) {
	t.Parallel()
	responses := served(t, newTestServer(t, fakeAuth{}))["components"].(map[string]any)["responses"].(map[string]any)
	forbidden := responses["Forbidden"].(map[string]any)
	header, _ := resolve(forbidden, "#/headers/WWW-Authenticate/description").(string)
	if !strings.Contains(header, "insufficient_scope") {
		t.Errorf("Forbidden: WWW-Authenticate header description %q, want the insufficient_scope challenge", header)
	}
	unauthorized, _ := responses["Unauthorized"].(map[string]any)["description"].(string)
	if !strings.Contains(unauthorized, "Token validation failed: ") {
		t.Errorf("Unauthorized: description %q does not mention the error-detail body", unauthorized)
	}
}

// Every 200 JSON body the API serves matches the schema its operation
// documents: required members present, no undocumented members, types and
// enums as written.
func TestOpenAPISchemasMatchBodies(t *testing.T) {
	t.Parallel()
	claims := &auth.Claims{
		Raw: map[string]any{"sub": "U1", "name": "Ann", "email": "a@example.com", "aud": []any{"P2Test"},
			"roles": []any{"admin"}, "permissions": []any{"users.create", "users.delete"}, "scope": "openid",
			"dct": "T1", "tenants": map[string]any{"T1": map[string]any{"roles": []any{"viewer"}}}},
		Token:         strings.Repeat("t", 60),
		Subject:       "U1",
		Roles:         []string{"admin"},
		Permissions:   []string{"users.create", "users.delete"},
		Scopes:        []string{"openid"},
		CurrentTenant: "T1",
		Tenants:       map[string]auth.Tenant{"T1": {Roles: []string{"viewer"}}},
	}
	s := newTestServer(t, fakeAuth{claims: claims, ready: true})
	doc := served(t, s)
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			schema := resolve(op.(map[string]any), "#/responses/200/content/application~1json/schema")
			if schema == nil || path == "/openapi.json" {
				continue // not a JSON body, or this document itself
			}
			url := strings.NewReplacer("{user_id}", "42", "{file}", "init.js").Replace(path)
			if path == "/api/users" {
				url += "?name=Bob&email=b@example.com"
			}
			w := do(t, s, request{method: strings.ToUpper(method), path: url})
			if w.Code != http.StatusOK {
				t.Errorf("%s %s: status %d, want 200 (body %s)", strings.ToUpper(method), url, w.Code, w.Body.String())
				continue
			}
			var body any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Errorf("%s %s: body is not JSON: %v", strings.ToUpper(method), url, err)
				continue
			}
			for _, problem := range conform(doc, schema, body, "$") {
				t.Errorf("%s %s: %s", strings.ToUpper(method), url, problem)
			}
		}
	}
}

// conform checks v against the subset of JSON Schema the document uses
// ($ref, type, enum, properties, required, items, additionalProperties) and
// lists the differences. Undocumented object members are differences unless
// additionalProperties allows them.
func conform(doc map[string]any, schema any, v any, at string) []string {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return conform(doc, resolve(doc, ref), v, at)
	}
	var out []string
	if !typeMatches(s["type"], v) {
		return append(out, fmt.Sprintf("%s: %v does not have type %v", at, v, s["type"]))
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := v[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: required member %q missing", at, r))
			}
		}
		for k, x := range v {
			switch sub, ok := props[k]; {
			case ok:
				out = append(out, conform(doc, sub, x, at+"."+k)...)
			case s["additionalProperties"] == true:
			case s["additionalProperties"] != nil:
				out = append(out, conform(doc, s["additionalProperties"], x, at+"."+k)...)
			default:
				out = append(out, fmt.Sprintf("%s: member %q is not documented", at, k))
			}
		}
	case []any:
		for i, x := range v {
			out = append(out, conform(doc, s["items"], x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

// typeMatches reports whether v has the JSON Schema type t (a name, a list
// of names, or nil for any).
func typeMatches(t any, v any) bool {
	switch t := t.(type) {
	case nil:
		return true
	case []any:
		return slices.ContainsFunc(t, func(x any) bool { return typeMatches(x, v) })
	case string:
		switch v := v.(type) {
		case nil:
			return t == "null"
		case bool:
			return t == "boolean"
		case float64:
			return t == "number" || t == "integer" && v == float64(int64(v))
		case string:
			return t == "string"
		case []any:
			return t == "array"
		case map[string]any:
			return t == "object"
		}
	}
	return false
}
