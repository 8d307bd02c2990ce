package api

import (
	"encoding/json"
	"net/http"
	"strings"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// operation describes one endpoint for the OpenAPI document.
type operation struct {
	summary     string
	description string
	tag         string
	public      bool
	// needs is the authorization the endpoint checks: "role", "permission"
	// or "scope" (403 possible), or "".
	needs string
	// ok is the 200 response; nil means application/json with okSchema.
	ok       obj
	okSchema obj
	params   []obj
	// extra maps further status codes to component response names.
	extra map[string]string
}

// operations documents every endpoint, keyed by "METHOD /path/template".
// A test checks that this table and the router agree.
var operations = map[string]operation{
	"GET /": {
		summary: "API information", tag: "public", public: true,
		okSchema: object(props{"message": str(), "descope_project_id": str(), "discovery_url": str(), "docs": str(), "authentication": str()}),
	},
	"GET /health": {
		summary: "Liveness check", tag: "public", public: true,
		okSchema: object(props{"status": enum("healthy"), "provider": enum("descope")}),
	},
	"GET /ready": {
		summary: "Readiness check", description: "200 once signing keys are loaded, else 503 with a Retry-After header.",
		tag: "public", public: true,
		okSchema: ref("ReadyStatus"), extra: map[string]string{"503": "NotReady"},
	},
	"GET /metrics": {
		summary: "Prometheus metrics", tag: "public", public: true,
		ok: obj{"description": "Metrics in the Prometheus text exposition format.",
			"content": obj{"text/plain": obj{"schema": str()}}},
	},
	"GET /openapi.json": {
		summary: "This OpenAPI document", tag: "public", public: true,
		ok: obj{"description": "OpenAPI 3.1 document.", "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}},
	},
	"GET /docs": {
		summary: "Interactive API documentation (Swagger UI)", tag: "public", public: true,
		ok: obj{"description": "HTML page.", "content": obj{"text/html": obj{"schema": str()}}},
	},
	"GET /docs/assets/{file}": {
		summary: "Embedded asset of the documentation page", tag: "public", public: true,
		params: []obj{pathParam("file", "Asset name, e.g. swagger-ui-bundle.js.")},
		ok:     obj{"description": "The asset.", "content": obj{"*/*": obj{"schema": obj{"type": "string", "format": "binary"}}}},
		extra:  map[string]string{"404": "NotFound"},
	},
	"GET /api/me": {
		summary: "Current caller", tag: "protected",
		description: "`name` is the token's name claim (a list's first element) or null; `claims_count` counts one per element of a " +
			"list-valued claim and one per other claim.",
		okSchema: object(props{"authenticated": obj{"type": "boolean"}, "authentication_type": enum("Bearer"),
			"name": obj{"type": []string{"string", "null"}}, "claims_count": integer()}),
	},
	"GET /api/claims": {
		summary: "Every claim of the token, verbatim", tag: "protected",
		okSchema: object(props{"claims": obj{"type": "object", "additionalProperties": true}}),
	},
	"GET /api/token-info": {
		summary: "Token length and preview", tag: "protected",
		description: "`token_preview` is the first 20 characters, `...`, and the last 20.",
		okSchema:    object(props{"token_length": integer(), "token_preview": str()}),
	},
	"GET /api/profile": {
		summary: "Profile from the claims", tag: "protected",
		description: "`user_id` is `sub`, else `client_id`, else \"Not provided\"; `email` is the email claim or \"Not provided\" " +
			"(a list-valued claim gives its first element).",
		okSchema: object(props{"user_id": str(), "email": str()}),
	},
	"GET /api/descope/roles": {
		summary: "The caller's Descope roles", tag: "descope",
		description: "Top-level `roles`, plus the current tenant's (`dct`) roles from `tenants`.",
		okSchema:    object(props{"roles": strList()}),
	},
	"GET /api/descope/permissions": {
		summary: "The caller's Descope permissions", tag: "descope",
		description: "Top-level `permissions`, plus the current tenant's (`dct`) permissions from `tenants`.",
		okSchema:    object(props{"permissions": strList()}),
	},
	"GET /api/descope/tenants": {
		summary: "The caller's Descope tenants", tag: "descope",
		description: "Not in the Python example. `tenants` is the token's `tenants` claim (tenant ID to roles and " +
			"permissions); `current_tenant` is its `dct` claim, or null.",
		okSchema: object(props{
			"current_tenant": obj{"type": []string{"string", "null"}},
			"tenants": obj{"type": "object", "additionalProperties": object(props{
				"roles": strList(), "permissions": strList()})},
		}),
	},
	"GET /api/admin/users": {
		summary: "List users", description: "Needs the Descope role `admin`.", tag: "admin", needs: "role",
		okSchema: object(props{"message": enum("Admin access granted"), "users": obj{"type": "array", "items": ref("IDName")}}),
	},
	"GET /api/admin/stats": {
		summary: "Admin statistics", description: "Needs the Descope role `admin`.", tag: "admin", needs: "role",
		okSchema: object(props{"total_users": integer(), "active_sessions": integer(), "requests_today": integer()}),
	},
	"POST /api/users": {
		summary: "Create a user", description: "Needs the Descope permission `users.create`. The permission is checked " +
			"before the query, so a caller without it gets 403 even when parameters are missing.",
		tag: "users", needs: "permission",
		params: []obj{queryParam("name"), queryParam("email")},
		okSchema: object(props{"message": enum("User creation permitted"),
			"user": object(props{"name": str(), "email": str()})}),
		extra: map[string]string{"422": "ValidationError"},
	},
	"DELETE /api/users/{user_id}": {
		summary: "Delete a user", description: "Needs the Descope permission `users.delete`.", tag: "users", needs: "permission",
		params:   []obj{pathParam("user_id", "ID of the user to delete.")},
		okSchema: object(props{"message": str(), "deleted_by": enum("admin")}),
	},
	"GET /api/data": {
		summary: "Data", description: "Needs the scope `openid` (from the `scope` string, else the `scp` list).",
		tag: "data", needs: "scope",
		okSchema: object(props{"data": obj{"type": "array", "items": ref("IDName")}}),
	},
}

type props = map[string]obj

func object(p props) obj {
	required := make([]string, 0, len(p))
	properties := obj{}
	for _, k := range sortedKeys(p) {
		required = append(required, k)
		properties[k] = p[k]
	}
	return obj{"type": "object", "properties": properties, "required": required}
}
func str() obj             { return obj{"type": "string"} }
func integer() obj         { return obj{"type": "integer"} }
func strList() obj         { return obj{"type": "array", "items": str()} }
func enum(v string) obj    { return obj{"type": "string", "enum": []string{v}} }
func ref(name string) obj  { return obj{"$ref": "#/components/schemas/" + name} }
func respRef(n string) obj { return obj{"$ref": "#/components/responses/" + n} }
func queryParam(name string) obj {
	return obj{"name": name, "in": "query", "required": true, "schema": str()}
}
func pathParam(name, description string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": description, "schema": str()}
}

// errorResponse is a component response with a JSON body of schema and
// optional headers.
func errorResponse(description, schema string, headers obj) obj {
	r := obj{"description": description, "content": obj{"application/json": obj{"schema": ref(schema)}}}
	if headers != nil {
		r["headers"] = headers
	}
	return r
}

// openAPIDocument builds the document from operations.
func openAPIDocument() obj {
	paths := obj{}
	for _, key := range sortedKeys(operations) {
		op := operations[key]
		method, path, _ := strings.Cut(key, " ")
		responses := obj{}
		if op.ok != nil {
			responses["200"] = op.ok
		} else {
			responses["200"] = obj{"description": "Success.", "content": obj{"application/json": obj{"schema": op.okSchema}}}
		}
		o := obj{"summary": op.summary, "tags": []string{op.tag}, "operationId": operationID(method, path), "responses": responses}
		if op.description != "" {
			o["description"] = op.description
		}
		if len(op.params) > 0 {
			o["parameters"] = op.params
		}
		if op.public {
			o["security"] = []obj{}
		} else {
			responses["401"] = respRef("Unauthorized")
			responses["405"] = respRef("MethodNotAllowed")
			responses["503"] = respRef("Unavailable")
		}
		if op.needs != "" {
			responses["403"] = respRef("Forbidden")
		}
		for code, name := range op.extra {
			responses[code] = respRef(name)
		}
		responses["500"] = respRef("InternalError")
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = o
	}

	detail := object(props{"detail": str()})
	wwwAuthenticate := obj{"WWW-Authenticate": obj{"schema": str(),
		"description": "`Bearer realm=\"api\"`, with `error=\"invalid_request\"` or `error=\"invalid_token\"` when a token was sent."}}
	retryAfter := obj{"Retry-After": obj{"schema": integer(), "description": "Seconds to wait before retrying."}}

	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":       "Descope FastAPI Example (Go port)",
			"version":     "1.0.0",
			"description": "Protected API validating Descope access tokens. Authentication runs before routing: without a token every non-public path answers 401, including unknown ones.",
		},
		"security": []obj{{"bearerAuth": []string{}}},
		"tags": []obj{
			{"name": "public", "description": "No token needed."},
			{"name": "protected", "description": "Any valid token."},
			{"name": "descope", "description": "Descope roles, permissions and tenants from the token."},
			{"name": "admin", "description": "Descope role admin."},
			{"name": "users", "description": "Descope permissions users.create / users.delete."},
			{"name": "data", "description": "Scope openid."},
		},
		"paths": paths,
		"components": obj{
			"securitySchemes": obj{"bearerAuth": obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
				"description": "A Descope access token (RS256 JWT)."}},
			"schemas": obj{
				"DetailError":        detail,
				"AuthorizationError": object(props{"error": str(), "status_code": enum403()}),
				"ValidationError": object(props{"detail": obj{"type": "array", "items": object(props{
					"type": enum("missing"), "loc": strList(), "msg": str()})}}),
				"ReadyStatus": object(props{"status": obj{"type": "string", "enum": []string{"ready", "not ready"}}}),
				"IDName":      object(props{"id": integer(), "name": str()}),
			},
			"responses": obj{
				"Unauthorized": errorResponse("Missing, malformed or invalid bearer token: "+
					"`Missing Authorization header`, `Invalid Authorization header format. Expected: Bearer <token>` "+
					"or `Invalid or unauthorized token`. In error-detail mode (`AUTH_ERROR_DETAIL`, development only) a token failure "+
					"names its reason instead: `Token validation failed: <reason>`, e.g. `Token validation failed: token has expired`.",
					"DetailError", wwwAuthenticate),
				"Forbidden": errorResponse("The token lacks the role, permission or scope: e.g. `Missing required Descope role: admin`, "+
					"`Missing required Descope permission: users.create`, `Required scope 'openid' not found`.", "AuthorizationError",
					obj{"WWW-Authenticate": obj{"schema": str(),
						"description": "Only for a missing scope: `Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"openid\"`."}}),
				"NotFound":         errorResponse("`Not Found`.", "DetailError", nil),
				"MethodNotAllowed": errorResponse("`Method Not Allowed`.", "DetailError", nil),
				"ValidationError":  errorResponse("A required query parameter is missing.", "ValidationError", nil),
				"InternalError":    errorResponse("`Internal server error`.", "DetailError", nil),
				"Unavailable":      errorResponse("Signing keys cannot be obtained: `Authentication temporarily unavailable`.", "DetailError", retryAfter),
				"NotReady":         errorResponse("Signing keys are not loaded yet.", "ReadyStatus", retryAfter),
			},
		},
	}
}

func enum403() obj { return obj{"type": "integer", "enum": []int{403}} }

// operationID names an operation: "get_api_users_user_id"; "/" is "root".
func operationID(method, path string) string {
	if path == "/" {
		return strings.ToLower(method) + "_root"
	}
	id := strings.ToLower(method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(path)
	return strings.TrimSuffix(id, "_")
}

// openAPIJSON is the encoded document, built once.
var openAPIJSON = func() []byte {
	buf, err := json.Marshal(openAPIDocument())
	if err != nil {
		panic("api: encoding the OpenAPI document: " + err.Error())
	}
	return buf
}()

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPIJSON)
}
