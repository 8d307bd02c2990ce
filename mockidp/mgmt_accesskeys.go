package mockidp

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Access keys for a service's own customers: /v1/mgmt/accesskey/{create,
// update,activate,deactivate,delete,search} and GET /v1/mgmt/accesskey?id=,
// with the bodies of GO descope/internal/mgmt/accesskey.go
// (makeCreateAccessKeyBody, Update), NODE lib/management/accesskey.ts and
// PY descope/management/access_key.py. A created key exchanges at
// /v1/auth/accesskey/exchange as the project file's keys do; its roles and
// permissions come from the role definitions at each exchange. These calls
// see only the keys they created (the project file's and the control
// plane's keys are the control plane's).

// accessKeyRequest is the body of create and update (wire type).
type accessKeyRequest struct {
	ID               string           `json:"id"`
	Name             string           `json:"name"`
	Description      *string          `json:"description"`
	ExpireTime       int64            `json:"expireTime"`
	RoleNames        []string         `json:"roleNames"`
	KeyTenants       []mgmtUserTenant `json:"keyTenants"`
	UserID           string           `json:"userId"`
	CustomClaims     map[string]any   `json:"customClaims"`
	PermittedIPs     []string         `json:"permittedIps"`
	CustomAttributes map[string]any   `json:"customAttributes"`
}

// check validates what create and update share: a name, roles and tenants
// that exist, custom claims the mock does not set, IPs or CIDR ranges.
func (s *Server) checkAccessKeyRequest(req *accessKeyRequest) error {
	if req.Name == "" {
		return missingArgument("name")
	}
	if len(req.Name) > 256 || strings.ContainsAny(req.Name, "\r\n") {
		return invalidArgument("name must be 1 to 256 characters on one line")
	}
	if err := s.state.CheckGrants(req.RoleNames, userTenants(req.KeyTenants)); err != nil {
		return stateError(err)
	}
	if k := reservedCustomClaim(req.CustomClaims); k != "" {
		return invalidArgument("customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
	}
	if _, err := customClaimsBytes(req.CustomClaims); err != nil {
		return invalidArgument("customClaims: %v", err)
	}
	if len(req.PermittedIPs) > 100 {
		return invalidArgument("permittedIps: at most 100")
	}
	for i, ip := range req.PermittedIPs {
		if _, err := parseIPRange(ip); err != nil {
			return invalidArgument("permittedIps[%d] %q is not an IP address or CIDR range", i, truncate(ip, 64))
		}
	}
	return nil
}

// parseIPRange reads an IP address (a one-address range) or a CIDR range.
func parseIPRange(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (s *Server) accessKeyResponse(k state.ManagedKey) wire.AccessKeyResponse {
	status := "active"
	if !k.Active {
		status = "inactive"
	}
	out := wire.AccessKeyResponse{ID: k.ID, Name: k.Name, Description: k.Description, RoleNames: nonNil(k.Roles),
		KeyTenants: make([]UserTenantResponse, 0, len(k.Tenants)), Status: status, CreatedTime: k.CreatedTime, ExpireTime: k.ExpireTime,
		BoundUserID: k.BoundUserID, CustomClaims: k.CustomClaims, PermittedIPs: nonNil(k.PermittedIPs), CustomAttributes: k.CustomAttributes}
	if out.CustomClaims == nil {
		out.CustomClaims = map[string]any{}
	}
	if out.CustomAttributes == nil {
		out.CustomAttributes = map[string]any{}
	}
	for _, t := range k.Tenants {
		tenant, _ := s.state.Tenant(t.TenantID)
		out.KeyTenants = append(out.KeyTenants, UserTenantResponse{TenantID: t.TenantID, TenantName: tenant.Name, RoleNames: nonNil(t.Roles), Permissions: []string{}})
	}
	return out
}

// handleAccessKeyCreate serves POST /v1/mgmt/accesskey/create:
// {"key":{…},"cleartext":"…"}, the only answer that holds the secret.
func (s *Server) handleAccessKeyCreate(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req accessKeyRequest
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if err := s.checkAccessKeyRequest(&req); err != nil {
		return 0, err
	}
	now := s.clock.Now().Unix()
	if req.ExpireTime < 0 || req.ExpireTime != 0 && req.ExpireTime <= now {
		return 0, invalidArgument("expireTime must be 0 (never) or a time after now, in Unix seconds")
	}
	if req.UserID != "" {
		if _, ok := s.state.UserByID(req.UserID); !ok {
			return 0, mgmtUserNotFound(req.UserID)
		}
	}
	k := state.ManagedKey{Name: req.Name, Roles: req.RoleNames, Tenants: userTenants(req.KeyTenants), Active: true, CreatedTime: now,
		ExpireTime: req.ExpireTime, BoundUserID: req.UserID, CustomClaims: req.CustomClaims, PermittedIPs: req.PermittedIPs,
		CustomAttributes: req.CustomAttributes}
	if req.Description != nil {
		k.Description = *req.Description
	}
	stored, cleartext, err := s.state.CreateManagedKey(k)
	if err != nil {
		return 0, stateError(err)
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]any{"key": s.accessKeyResponse(stored), "cleartext": cleartext}), nil
}

// handleAccessKeyLoad serves GET /v1/mgmt/accesskey?id=: {"key":{…}}.
func (s *Server) handleAccessKeyLoad(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		return 0, missingArgument("id")
	}
	k, ok := s.state.ManagedKey(id)
	if !ok {
		return 0, stateError(state.ErrManagedKeyNotFound)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"key": s.accessKeyResponse(k)}), nil
}

// handleAccessKeyUpdate serves POST /v1/mgmt/accesskey/update {id, name,
// description?, roleNames?, keyTenants?, customClaims?, permittedIps?,
// customAttributes?}: name always, the others when sent (GO sends them
// only when set): {"key":{…}}.
func (s *Server) handleAccessKeyUpdate(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req accessKeyRequest
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if req.ID == "" {
		return 0, missingArgument("id")
	}
	if err := s.checkAccessKeyRequest(&req); err != nil {
		return 0, err
	}
	k, err := s.state.UpdateManagedKey(req.ID, func(k *state.ManagedKey) error {
		k.Name = req.Name
		if req.Description != nil {
			k.Description = *req.Description
		}
		if req.RoleNames != nil {
			k.Roles = req.RoleNames
		}
		if req.KeyTenants != nil {
			k.Tenants = userTenants(req.KeyTenants)
		}
		if req.CustomClaims != nil {
			k.CustomClaims = req.CustomClaims
		}
		if req.PermittedIPs != nil {
			k.PermittedIPs = req.PermittedIPs
		}
		if req.CustomAttributes != nil {
			k.CustomAttributes = req.CustomAttributes
		}
		return nil
	})
	if err != nil {
		return 0, stateError(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"key": s.accessKeyResponse(k)}), nil
}

// handleAccessKeyState serves POST /v1/mgmt/accesskey/activate,
// /deactivate and /delete {id}: {}. A deactivated key's exchange is
// refused until it is activated again; a deleted key is gone.
func (s *Server) handleAccessKeyState(op string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req struct {
			ID string `json:"id"`
		}
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		if req.ID == "" {
			return 0, missingArgument("id")
		}
		var err error
		switch op {
		case "delete":
			err = s.state.RemoveManagedKey(req.ID)
		default:
			_, err = s.state.UpdateManagedKey(req.ID, func(k *state.ManagedKey) error {
				k.Active = op == "activate"
				return nil
			})
		}
		if err != nil {
			return 0, stateError(err)
		}
		return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
	}
}

// accessKeySearchRequest is the body of /v1/mgmt/accesskey/search (GO
// descope.AccessKeysSearchOptions, NODE searchAll).
type accessKeySearchRequest struct {
	TenantIDs        []string                `json:"tenantIds"`
	BoundUserID      *string                 `json:"boundUserId"`
	CreatingUser     *string                 `json:"creatingUser"`
	CustomAttributes map[string]any          `json:"customAttributes"`
	Sort             []userSearchSortRequest `json:"sort"`
}

// handleAccessKeySearch serves POST /v1/mgmt/accesskey/search:
// {"keys":[…]} by ID, matched by every filter given: tenantIds (any),
// boundUserId, customAttributes (as user search compares them);
// creatingUser finds none when set (the mock's keys are created by the
// management key, not a user); sort is 400 (the sources do not say its fields).
func (s *Server) handleAccessKeySearch(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return 0, err
	}
	var q accessKeySearchRequest
	if err := decodeStrict(body, &q); err != nil {
		return 0, err
	}
	if len(q.Sort) > 0 {
		return 0, invalidArgument("sort: the mock answers access keys by ID and does not sort them otherwise")
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
	out := []wire.AccessKeyResponse{}
	for _, k := range s.state.ManagedKeys() {
		holder := User{CustomAttributes: k.CustomAttributes}
		switch {
		case len(q.TenantIDs) > 0 && !slices.ContainsFunc(k.Tenants, func(t UserTenant) bool { return slices.Contains(q.TenantIDs, t.TenantID) }),
			q.BoundUserID != nil && *q.BoundUserID != "" && k.BoundUserID != *q.BoundUserID,
			q.CreatingUser != nil && *q.CreatingUser != "",
			slices.ContainsFunc(attrs, func(f attributeFilter) bool { return !f.match(&holder) }):
			continue
		}
		out = append(out, s.accessKeyResponse(k))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"keys": out}), nil
}

// exchangeManagedKey finds the managed key of a secret for the exchange and
// checks it may be used now from this request: active, not expired, from a
// permitted IP. It returns the key as the project file's keys are, its
// roles and permissions computed from the current role definitions.
func (s *Server) exchangeManagedKey(r *http.Request, secret string) (AccessKey, error) {
	k, ok := s.state.ManagedKeyBySecret(secret)
	if !ok {
		return AccessKey{}, badClient("invalid access key")
	}
	if !k.Active {
		return AccessKey{}, badClient("the access key is deactivated")
	}
	if k.ExpireTime != 0 && s.clock.Now().Unix() >= k.ExpireTime {
		return AccessKey{}, badClient("the access key has expired")
	}
	if len(k.PermittedIPs) > 0 && !permittedIP(r.RemoteAddr, k.PermittedIPs) {
		return AccessKey{}, badClient("the access key is not permitted from this IP address")
	}
	a := s.state.Authorization(User{Roles: k.Roles, Tenants: k.Tenants})
	return AccessKey{ID: k.ID, Roles: a.Roles, Permissions: a.Permissions, Tenants: a.Tenants, Claims: k.CustomClaims}, nil
}

// permittedIP reports whether the request's address is in one of the ranges.
func permittedIP(remoteAddr string, ranges []string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, r := range ranges {
		if p, err := parseIPRange(r); err == nil && p.Contains(a) {
			return true
		}
	}
	return false
}
