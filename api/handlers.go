package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/gorilla/mux"

	"github.com/descope-harness/harness/api/auth"
)

// errNoClaims means a protected handler ran without claims in its context:
// a wiring fault, rendered as a 500.
var errNoClaims = errors.New("no claims in request context")

// Wire types of the endpoints. Field names follow the Python example.
type (
	meResponse struct {
		Authenticated      bool    `json:"authenticated"`
		AuthenticationType string  `json:"authentication_type"`
		Name               *string `json:"name"` // null without a name claim
		ClaimsCount        int     `json:"claims_count"`
	}
	rootResponse struct {
		Message          string `json:"message"`
		DescopeProjectID string `json:"descope_project_id"`
		DiscoveryURL     string `json:"discovery_url"`
		Docs             string `json:"docs"`
		Authentication   string `json:"authentication"`
	}
	healthResponse struct {
		Status   string `json:"status"`
		Provider string `json:"provider"`
	}
	readyResponse struct {
		Status string `json:"status"`
	}
	claimsResponse struct {
		Claims map[string]any `json:"claims"`
	}
	tokenInfoResponse struct {
		TokenLength  int    `json:"token_length"`
		TokenPreview string `json:"token_preview"`
	}
	profileResponse struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
	}
	rolesResponse struct {
		Roles []string `json:"roles"`
	}
	permissionsResponse struct {
		Permissions []string `json:"permissions"`
	}
	tenantResponse struct {
		Roles       []string `json:"roles"`
		Permissions []string `json:"permissions"`
	}
	tenantsResponse struct {
		CurrentTenant *string                   `json:"current_tenant"`
		Tenants       map[string]tenantResponse `json:"tenants"`
	}
	idName struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	adminUsersResponse struct {
		Message string   `json:"message"`
		Users   []idName `json:"users"`
	}
	adminStatsResponse struct {
		TotalUsers     int `json:"total_users"`
		ActiveSessions int `json:"active_sessions"`
		RequestsToday  int `json:"requests_today"`
	}
	newUser struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	createUserResponse struct {
		Message string  `json:"message"`
		User    newUser `json:"user"`
	}
	deleteUserResponse struct {
		Message   string `json:"message"`
		DeletedBy string `json:"deleted_by"`
	}
	dataResponse struct {
		Data []idName `json:"data"`
	}
)

func (s *Server) handleRoot(*http.Request) (any, error) {
	return rootResponse{
		Message:          "Descope FastAPI Example",
		DescopeProjectID: s.projectID,
		DiscoveryURL:     s.discoveryURL,
		Docs:             "/docs",
		Authentication:   "Bearer token required for protected endpoints",
	}, nil
}

func handleHealth(*http.Request) (any, error) {
	return healthResponse{Status: "healthy", Provider: "descope"}, nil
}

// handleReady answers 200 once the validator holds keys, else 503.
func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	if s.auth.Ready() {
		writeJSON(w, http.StatusOK, readyResponse{Status: "ready"})
		return
	}
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, readyResponse{Status: "not ready"})
}

// claimsFrom returns the validated claims the auth middleware stored.
func claimsFrom(r *http.Request) (*auth.Claims, error) {
	c, ok := auth.FromContext(r.Context())
	if !ok || c == nil {
		return nil, errNoClaims
	}
	return c, nil
}

// claimCount is the number of claims in raw, a list-valued claim counting
// as many as its elements (the claims_count of the Descope example API's
// /api/me).
func claimCount(raw map[string]any) int {
	n := 0
	for _, v := range raw {
		if list, ok := v.([]any); ok {
			n += len(list)
			continue
		}
		n++
	}
	return n
}

func handleMe(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	resp := meResponse{Authenticated: true, AuthenticationType: "Bearer", ClaimsCount: claimCount(c.Raw)}
	if name, ok := firstValue(c.Raw["name"]); ok {
		resp.Name = &name
	}
	return resp, nil
}

func handleClaims(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	claims := c.Raw
	if claims == nil {
		claims = map[string]any{}
	}
	return claimsResponse{Claims: claims}, nil
}

func handleTokenInfo(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	return tokenInfoResponse{TokenLength: len([]rune(c.Token)), TokenPreview: tokenPreview(c.Token)}, nil
}

func handleProfile(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	userID := firstClaim(c.Raw, "sub", "client_id")
	if userID == "" {
		userID = "Not provided"
	}
	email := firstClaim(c.Raw, "email")
	if email == "" {
		email = "Not provided"
	}
	return profileResponse{UserID: userID, Email: email}, nil
}

func handleRoles(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	return rolesResponse{Roles: nonNil(c.EffectiveRoles())}, nil
}

func handlePermissions(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	return permissionsResponse{Permissions: nonNil(c.EffectivePermissions())}, nil
}

// handleTenants reports the token's tenants (the Descope `tenants` claim)
// and its current tenant (`dct`, null when absent).
func handleTenants(r *http.Request) (any, error) {
	c, err := claimsFrom(r)
	if err != nil {
		return nil, err
	}
	resp := tenantsResponse{Tenants: make(map[string]tenantResponse, len(c.Tenants))}
	for id, t := range c.Tenants {
		resp.Tenants[id] = tenantResponse{Roles: nonNil(t.Roles), Permissions: nonNil(t.Permissions)}
	}
	if c.CurrentTenant != "" {
		current := c.CurrentTenant
		resp.CurrentTenant = &current
	}
	return resp, nil
}

func handleAdminUsers(*http.Request) (any, error) {
	return adminUsersResponse{
		Message: "Admin access granted",
		Users:   []idName{{ID: 1, Name: "User 1"}, {ID: 2, Name: "User 2"}},
	}, nil
}

func handleAdminStats(*http.Request) (any, error) {
	return adminStatsResponse{TotalUsers: 42, ActiveSessions: 15, RequestsToday: 1337}, nil
}

// handleCreateUser needs the name and email query parameters; an empty value
// counts as given, an absent one does not (as in FastAPI).
func handleCreateUser(r *http.Request) (any, error) {
	q := r.URL.Query()
	var missing []string
	for _, p := range []string{"name", "email"} {
		if _, ok := q[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingQueryError{Params: missing}
	}
	return createUserResponse{
		Message: "User creation permitted",
		User:    newUser{Name: lastValue(q["name"]), Email: lastValue(q["email"])},
	}, nil
}

func handleDeleteUser(r *http.Request) (any, error) {
	userID := mux.Vars(r)["user_id"]
	return deleteUserResponse{
		Message:   fmt.Sprintf("User %s deleted successfully", userID),
		DeletedBy: "admin",
	}, nil
}

func handleData(*http.Request) (any, error) {
	return dataResponse{Data: []idName{{ID: 1, Name: "Item 1"}, {ID: 2, Name: "Item 2"}, {ID: 3, Name: "Item 3"}}}, nil
}

// tokenPreview is the first 20 and last 20 characters of the token.
func tokenPreview(token string) string {
	runes := []rune(token)
	head, tail := runes, runes
	if len(runes) > 20 {
		head = runes[:20]
		tail = runes[len(runes)-20:]
	}
	return string(head) + "..." + string(tail)
}

// firstClaim returns the text of the first of names whose claim is present
// and not empty (see firstValue), or "".
func firstClaim(claims map[string]any, names ...string) string {
	for _, name := range names {
		if text, ok := firstValue(claims[name]); ok && text != "" {
			return text
		}
	}
	return ""
}

// firstValue is the text of a claim as the Python example's principal
// holds it: a list-valued claim is one claim per element, so its first
// element (none for an empty list); null is no claim; anything else is
// one claim.
func firstValue(v any) (string, bool) {
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			return "", false
		}
		v = list[0]
	}
	if v == nil {
		return "", false
	}
	return claimText(v), true
}

// claimText renders a claim value as text: strings as they are, anything
// else as its JSON encoding.
func claimText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(buf)
}

// lastValue is the last of a repeated query parameter, as Starlette picks it.
func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[len(values)-1]
}

// nonNil makes an absent list encode as [] rather than null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
