package mockidp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/descope-harness/harness/mockidp/issue"
)

type exchangeRequest struct {
	LoginOptions *struct {
		CustomClaims   map[string]any `json:"customClaims"`
		SelectedTenant string         `json:"selectedTenant"`
	} `json:"loginOptions"`
}

// handleExchange serves POST /v1/auth/accesskey/exchange:
// Authorization: Bearer {pid}:{accessKey}[:{managementKey}].
func (s *Server) handleExchange(w http.ResponseWriter, r *http.Request) (int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, tooLarge(s.cfg.MaxBodyBytes)
		}
		return 0, badRequest("reading body: %v", err)
	}
	var req exchangeRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return 0, badRequest("malformed JSON body: %v", err)
		}
	}
	secret, err := s.bearerAccessKey(r)
	if err != nil {
		return 0, err
	}
	key, ok := s.findAccessKey(secret)
	if !ok {
		// A key created through the management API (mgmt_accesskeys.go).
		if key, err = s.exchangeManagedKey(r, secret); err != nil {
			return 0, err
		}
	}
	var custom map[string]any
	tenant := ""
	if req.LoginOptions != nil {
		custom, tenant = req.LoginOptions.CustomClaims, req.LoginOptions.SelectedTenant
		if _, ok := key.Tenants[tenant]; tenant != "" && !ok {
			return 0, badRequest("selectedTenant %q is not one of the access key's tenants", truncate(tenant, 64))
		}
	}
	claims := issue.AccessKeyClaims(s.project, key, s.issuer(IssuerApps, s.baseURL(r)), s.clock.Now(), custom, tenant)
	token, err := s.sign(s.keys.Current(), claims)
	if err != nil {
		return 0, err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	return writeJSON(w, http.StatusOK, ExchangeResponse{KeyID: key.ID, SessionJWT: token, Expiration: claims["exp"].(int64)}), nil
}

// bearerAccessKey extracts the access key from "Bearer {pid}:{key}[:{mgmt}]".
func (s *Server) bearerAccessKey(r *http.Request) (string, error) {
	auth := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", badClient("Authorization must be Bearer {projectId}:{accessKey}")
	}
	parts := strings.Split(strings.TrimSpace(rest), ":")
	if len(parts) < 2 || len(parts) > 3 || parts[1] == "" {
		return "", badClient("Authorization must be Bearer {projectId}:{accessKey}")
	}
	if parts[0] != s.project.ID {
		return "", badClient("unknown project ID")
	}
	return parts[1], nil
}

// findAccessKey compares against every key's secret in constant time.
func (s *Server) findAccessKey(secret string) (AccessKey, bool) {
	return s.state.AccessKeyBySecret(secret)
}
