package mockidp

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"
)

// Discovery is the OpenID Connect / OAuth 2.0 authorization-server metadata
// document the mock serves (wire type).
type Discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

var baseScopes = []string{"openid", "profile", "email", "phone", "offline_access", "descope.claims", "descope.custom_claims"}

// DiscoveryDocument builds the document for an issuer form ("url" for the
// project document, "apps" for the inbound-apps one) and base URL.
func (s *Server) DiscoveryDocument(form, base string) Discovery {
	oauth := base + "/oauth2/v1"
	if form == IssuerApps {
		oauth = base + "/oauth2/v1/apps"
	}
	return Discovery{
		Issuer:                            s.issuer(form, base),
		AuthorizationEndpoint:             oauth + "/authorize",
		TokenEndpoint:                     oauth + "/token",
		UserinfoEndpoint:                  oauth + "/userinfo",
		JWKSURI:                           base + "/" + s.project.ID + "/.well-known/jwks.json",
		EndSessionEndpoint:                oauth + "/logout",
		RevocationEndpoint:                oauth + "/revoke",
		ResponseTypesSupported:            []string{"code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		GrantTypesSupported:               []string{"client_credentials"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		ScopesSupported:                   s.scopesSupported(),
		ClaimsSupported:                   []string{"iss", "aud", "iat", "exp", "sub", "name", "email", "email_verified", "phone_number", "phone_number_verified", "picture", "family_name", "given_name"},
	}
}

// scopesSupported is the base scopes plus every scope a client may request.
func (s *Server) scopesSupported() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := append([]string(nil), baseScopes...)
	extra := map[string]bool{}
	for _, c := range s.clients {
		for _, sc := range c.Scopes {
			if !contains(baseScopes, sc) {
				extra[sc] = true
			}
		}
	}
	more := make([]string, 0, len(extra))
	for sc := range extra {
		more = append(more, sc)
	}
	sort.Strings(more)
	return append(out, more...)
}

// discoveryCache keeps encoded documents per form and base URL; it is
// emptied whenever the client list changes (scopes_supported depends on it).
type discoveryCache struct {
	mu   sync.RWMutex
	docs map[string][]byte
}

func (c *discoveryCache) get(key string, build func() []byte) []byte {
	c.mu.RLock()
	b, ok := c.docs[key]
	c.mu.RUnlock()
	if ok {
		return b
	}
	b = build()
	c.mu.Lock()
	if c.docs == nil || len(c.docs) > 64 { // bounded: bases come from request headers
		c.docs = map[string][]byte{}
	}
	c.docs[key] = b
	c.mu.Unlock()
	return b
}

func (c *discoveryCache) clear() {
	c.mu.Lock()
	c.docs = nil
	c.mu.Unlock()
}

func (s *Server) handleDiscovery(form string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.checkProject(w, r) {
			return
		}
		base := s.baseURL(r)
		body := s.discovery.get(form+" "+base, func() []byte {
			b, _ := json.Marshal(s.DiscoveryDocument(form, base))
			return b
		})
		w.Header().Set("Cache-Control", "public, max-age=300")
		writeBytes(w, http.StatusOK, body)
	}
}

// checkProject answers 404 when the path's project ID is not ours.
func (s *Server) checkProject(w http.ResponseWriter, r *http.Request) bool {
	if pid := r.PathValue("pid"); pid != s.project.ID {
		writeError(w, notFound("project %q not found", truncate(pid, 64)))
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
