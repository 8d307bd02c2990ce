package mockidp

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/descope-harness/harness/mockidp/wire"
)

// Tenants of the management API: /v1/mgmt/tenant/{create,update,delete,
// all,search} and GET /v1/mgmt/tenant?id=, with the bodies of GO
// descope/internal/mgmt/tenant.go (makeCreateUpdateTenantRequest,
// makeSearchTenantRequest), NODE lib/management/tenant.ts and PY
// descope/management/tenant.py.

// tenantRequest is the body of tenant create and update (wire type).
type tenantRequest struct {
	ID                      string         `json:"id"`
	Name                    string         `json:"name"`
	SelfProvisioningDomains []string       `json:"selfProvisioningDomains"`
	CustomAttributes        map[string]any `json:"customAttributes"`
	EnforceSSO              bool           `json:"enforceSSO"`
	EnforceSSOExclusions    []string       `json:"enforceSSOExclusions"`
	Disabled                bool           `json:"disabled"`
	RoleInheritance         string         `json:"roleInheritance"`
	Parent                  string         `json:"parent"`   // NODE create
	ParentID                string         `json:"parentId"` // GO TenantRequest
}

// tenant checks the request and returns the tenant it describes. What the
// mock does not model is refused: SSO enforcement, disabled tenants,
// sub-tenants and role inheritance.
func (req *tenantRequest) tenant() (Tenant, error) {
	switch {
	case req.Name == "":
		return Tenant{}, missingArgument("name")
	case req.EnforceSSO || len(req.EnforceSSOExclusions) > 0:
		return Tenant{}, invalidArgument("enforceSSO: the mock has no SSO; send false")
	case req.Disabled:
		return Tenant{}, invalidArgument("disabled: the mock does not disable tenants; send false")
	case req.Parent != "" || req.ParentID != "":
		return Tenant{}, invalidArgument("parent: the mock's tenants have no sub-tenants")
	case req.RoleInheritance != "" && req.RoleInheritance != "none":
		return Tenant{}, invalidArgument("roleInheritance: the mock's tenants have no sub-tenants; send \"\" or \"none\"")
	}
	t := Tenant{ID: req.ID, Name: req.Name, SelfProvisioningDomains: req.SelfProvisioningDomains, CustomAttributes: req.CustomAttributes}
	return t, checkTenant(&t)
}

// handleTenantCreate serves POST /v1/mgmt/tenant/create: {"id"}, the ID
// given or a new one ("T" and 27 letters and digits).
func (s *Server) handleTenantCreate(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req tenantRequest
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if req.ID == "" {
		req.ID = newTenantID()
	}
	t, err := req.tenant()
	if err != nil {
		return 0, err
	}
	t.CreatedTime = s.clock.Now().Unix()
	if err := s.state.CreateTenant(t); err != nil {
		return 0, stateError(err)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"id": t.ID}), nil
}

// handleTenantUpdate serves POST /v1/mgmt/tenant/update: name, domains and
// custom attributes replaced.
func (s *Server) handleTenantUpdate() handlerFunc {
	return mgmtWrite(s, func(req *tenantRequest) error {
		if req.ID == "" {
			return missingArgument("id")
		}
		t, err := req.tenant()
		if err != nil {
			return err
		}
		return stateError(s.state.UpdateTenant(t))
	})
}

// handleTenantDelete serves POST /v1/mgmt/tenant/delete {id, cascade}: the
// tenant, its roles and every membership of it go; with cascade the users
// whose only tenant it was are deleted too (their sessions end).
func (s *Server) handleTenantDelete() handlerFunc {
	type request struct {
		ID      string `json:"id"`
		Cascade bool   `json:"cascade"`
	}
	return mgmtWrite(s, func(req *request) error {
		if req.ID == "" {
			return missingArgument("id")
		}
		_, err := s.state.DeleteTenant(req.ID, req.Cascade)
		return stateError(err)
	})
}

func tenantResponse(t Tenant) wire.TenantResponse {
	out := wire.TenantResponse{ID: t.ID, Name: t.Name, SelfProvisioningDomains: nonNil(t.SelfProvisioningDomains),
		CustomAttributes: t.CustomAttributes, CreatedTime: t.CreatedTime, AuthType: "none", Domains: []string{}}
	if out.CustomAttributes == nil {
		out.CustomAttributes = map[string]any{}
	}
	return out
}

func tenantResponses(ts []Tenant) []wire.TenantResponse {
	out := make([]wire.TenantResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, tenantResponse(t))
	}
	return out
}

// handleTenantLoad serves GET /v1/mgmt/tenant?id=: the tenant, flat (GO
// unmarshalLoadTenantResponse, NODE load read the body itself).
func (s *Server) handleTenantLoad(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		return 0, missingArgument("id")
	}
	t, ok := s.state.Tenant(id)
	if !ok {
		return 0, tenantNotFound(id)
	}
	return writeJSON(w, http.StatusOK, tenantResponse(t)), nil
}

// handleTenantAll serves GET /v1/mgmt/tenant/all: {"tenants":[…]} by ID.
func (s *Server) handleTenantAll(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tenants": tenantResponses(s.state.Tenants())}), nil
}

// tenantSearchRequest is the body of /v1/mgmt/tenant/search (GO
// makeSearchTenantRequest, NODE searchAll).
type tenantSearchRequest struct {
	TenantIDs                     []string       `json:"tenantIds"`
	TenantNames                   []string       `json:"tenantNames"`
	TenantSelfProvisioningDomains []string       `json:"tenantSelfProvisioningDomains"`
	CustomAttributes              map[string]any `json:"customAttributes"`
	AuthType                      string         `json:"authType"`
	ParentTenantID                string         `json:"parentTenantId"`
}

// handleTenantSearch serves POST /v1/mgmt/tenant/search: {"tenants":[…]}
// matched by every filter given (a list filter by any of its values; names
// case-insensitively; customAttributes as user search compares them). The
// mock's tenants have authType "none" and no parent, so another authType or
// a parentTenantId finds none; an unknown field is 400 E011001.
func (s *Server) handleTenantSearch(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return 0, err
	}
	var q tenantSearchRequest
	if err := decodeStrict(body, &q); err != nil {
		return 0, err
	}
	var attrs []attributeFilter
	for name, v := range q.CustomAttributes {
		f, err := attributeFilterOf(name, v)
		if err != nil {
			return 0, err
		}
		if len(f.values) > 0 {
			attrs = append(attrs, f)
		}
	}
	var matched []Tenant
	for _, t := range s.state.Tenants() {
		holder := User{CustomAttributes: t.CustomAttributes}
		switch {
		case len(q.TenantIDs) > 0 && !slices.Contains(q.TenantIDs, t.ID),
			len(q.TenantNames) > 0 && !slices.ContainsFunc(q.TenantNames, func(n string) bool { return strings.EqualFold(n, t.Name) }),
			len(q.TenantSelfProvisioningDomains) > 0 && !slices.ContainsFunc(t.SelfProvisioningDomains, func(d string) bool {
				return slices.ContainsFunc(q.TenantSelfProvisioningDomains, func(w string) bool { return strings.EqualFold(w, d) })
			}),
			q.AuthType != "" && q.AuthType != "none",
			q.ParentTenantID != "",
			slices.ContainsFunc(attrs, func(f attributeFilter) bool { return !f.match(&holder) }):
			continue
		}
		matched = append(matched, t)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tenants": tenantResponses(matched)}), nil
}

// checkTenant validates a tenant as the management API sends it.
func checkTenant(t *Tenant) error {
	if !validTenantID(t.ID) {
		return invalidArgument("id %q must be 1 to 128 letters, digits and ._:@-", truncate(t.ID, 64))
	}
	if t.Name == "" || len(t.Name) > 256 || strings.ContainsAny(t.Name, "\r\n") {
		return invalidArgument("name must be 1 to 256 characters on one line")
	}
	if len(t.SelfProvisioningDomains) > 100 {
		return invalidArgument("selfProvisioningDomains: at most 100")
	}
	for i, d := range t.SelfProvisioningDomains {
		if d == "" || len(d) > 253 || strings.ContainsAny(d, " \r\n@") {
			return invalidArgument("selfProvisioningDomains[%d] %q is not a domain", i, truncate(d, 64))
		}
	}
	if len(t.CustomAttributes) > 0 {
		b, err := json.Marshal(t.CustomAttributes)
		if err != nil || len(b) > MaxUserBytes {
			return invalidArgument("customAttributes: at most %d bytes as JSON (MaxUserBytes)", MaxUserBytes)
		}
	}
	return nil
}

func validTenantID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:@-", c) >= 0) {
			return false
		}
	}
	return true
}

// newTenantID is a tenant ID as Descope shapes them: "T" and 27 letters and digits.
func newTenantID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 27)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "T" + string(b)
}
