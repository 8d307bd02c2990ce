package mockidp

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync/atomic"
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
		GrantTypesSupported:               []string{"authorization_code", "refresh_token", "client_credentials"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		ScopesSupported:                   s.scopesSupported(),
		ClaimsSupported:                   []string{"iss", "aud", "iat", "exp", "sub", "name", "email", "email_verified", "phone_number", "phone_number_verified", "picture", "family_name", "given_name"},
	}
}

// scopesSupported is the base scopes plus every scope a client may request.
func (s *Server) scopesSupported() []string {
	out := append([]string(nil), baseScopes...)
	extra := map[string]bool{}
	for _, c := range s.state.Clients() {
		for _, sc := range c.Scopes {
			if !slices.Contains(baseScopes, sc) {
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
// Readers load an immutable set of documents; a miss stores a copy with the
// new document, unless the cache was emptied since the miss (the document
// may be stale then: it answers its request but is not kept). It is
// lock-free: no writer waits for another.
type discoveryCache struct {
	docs atomic.Pointer[discoveryDocs]
	gen  atomic.Uint64 // counts clears
}

// discoveryDocs is an immutable set of documents of one generation.
type discoveryDocs struct {
	gen uint64
	m   map[discoveryKey]discoveryDoc
}

// discoveryKey is a document's form and base URL, the latter in the parts
// baseParts returns (joining them would allocate on every request).
type discoveryKey struct{ form, scheme, host string }

// discoveryDoc is an encoded document and its Content-Length header value.
type discoveryDoc struct {
	body   []byte
	length []string
}

// maxDiscoveryDocs bounds the cache: base URLs come from request headers.
const maxDiscoveryDocs = 64

func (c *discoveryCache) get(key discoveryKey, build func() []byte) discoveryDoc {
	cur := c.docs.Load()
	if cur != nil {
		if d, ok := cur.m[key]; ok {
			return d
		}
	}
	b := build()
	d := discoveryDoc{body: b, length: []string{strconv.Itoa(len(b))}}
	for cur != nil {
		next := &discoveryDocs{gen: cur.gen, m: map[discoveryKey]discoveryDoc{}}
		if len(cur.m) < maxDiscoveryDocs {
			maps.Copy(next.m, cur.m)
		}
		next.m[key] = d
		if c.docs.CompareAndSwap(cur, next) {
			break
		}
		// Another miss stored first (retry on its set), or a clear
		// (stop: d may predate the client change).
		now := c.docs.Load()
		if now == nil || now.gen != cur.gen {
			break
		}
		cur = now
	}
	return d
}

// clear empties the cache and starts a new generation.
func (c *discoveryCache) clear() {
	c.docs.Store(&discoveryDocs{gen: c.gen.Add(1)})
}

var publicMaxAge300 = []string{"public, max-age=300"}

// handleDiscovery serves a discovery document.
func (s *Server) handleDiscovery(form string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		scheme, host := s.baseParts(r)
		doc := s.discovery.get(discoveryKey{form, scheme, host}, func() []byte {
			b, _ := json.Marshal(s.DiscoveryDocument(form, joinBase(scheme, host)))
			return b
		})
		w.Header()["Cache-Control"] = publicMaxAge300
		return writeBody(w, http.StatusOK, doc.body, doc.length), nil
	}
}
