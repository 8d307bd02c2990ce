package mockidp

import (
	"fmt"
	"net/http"
	"strings"
)

// corsPolicy is the allowed origins, ready for a per-request check.
type corsPolicy struct {
	any, loopback bool
	exact         map[string]bool
}

func newCORSPolicy(origins []string) *corsPolicy {
	p := &corsPolicy{exact: make(map[string]bool, len(origins))}
	if len(origins) == 0 {
		p.loopback = true
	}
	for _, o := range origins {
		switch o {
		case OriginsAny:
			p.any = true
		case OriginsLoopback:
			p.loopback = true
		case OriginsNone:
		default:
			p.exact[o] = true
		}
	}
	return p
}

func (p *corsPolicy) allows(origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}
	// Cheapest first: the loopback check hashes nothing.
	return p.any || p.loopback && loopbackOrigin(origin) || len(p.exact) > 0 && p.exact[origin]
}

// loopbackOrigin reports whether o is http(s)://localhost, 127.0.0.1 or
// [::1] with an optional port, as a browser writes it.
func loopbackOrigin(o string) bool {
	switch {
	case strings.HasPrefix(o, "http://"):
		o = o[len("http://"):]
	case strings.HasPrefix(o, "https://"):
		o = o[len("https://"):]
	default:
		return false
	}
	for _, h := range [...]string{"localhost", "127.0.0.1", "[::1]"} {
		if rest, ok := strings.CutPrefix(o, h); ok {
			return rest == "" || validPort(rest)
		}
	}
	return false
}

// validPort reports whether s is ":" and 1 to 5 digits.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Header values of CORS answers, shared (never modified in place).
var (
	corsTrue = []string{"true"}
	// corsAllowHeaders are the request headers Descope's JavaScript SDKs
	// send (core-js-sdk src/httpClient/index.ts createDescopeHeaders and
	// jsonHeaders; web-js-sdk withFlowNonce, withPersistTokens' trusted
	// device header; react-sdk Descope.tsx x-external-rid).
	corsAllowHeaders = []string{"Authorization, Content-Type, X-Descope-Sdk-Name, X-Descope-Sdk-Version, X-Descope-Sdk-Session-Id, " +
		"X-Descope-Project-Id, X-Descope-Refresh-Cookie-Name, X-Descope-Flow-Nonce, X-Descope-Trusted-Device-Token, X-External-Rid"}
	corsAllowMethods = []string{"GET, POST, PUT, PATCH, DELETE, OPTIONS"}
	// corsExposeHeaders are the response headers the SDKs read
	// (core-js-sdk sdk/helpers Retry-After, web-js-sdk withFlowNonce).
	corsExposeHeaders = []string{"Retry-After, X-Descope-Flow-Nonce"}
	corsMaxAge        = []string{"600"}
	varyOrigin        = []string{"Origin"}
)

// cors answers preflights and adds CORS headers for allowed origins on the
// Descope surface. It reports whether the request was answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header["Origin"]
	// "//_mock/..." is the control plane too, once slashes are collapsed.
	if len(origin) != 1 || strings.HasPrefix(strings.TrimLeft(r.URL.Path, "/"), "_mock") {
		return false
	}
	preflight := r.Method == http.MethodOptions && len(r.Header["Access-Control-Request-Method"]) > 0
	h := w.Header()
	if !s.corsPolicy.allows(origin[0]) {
		if preflight {
			// The browser shows nothing of this to the page, but a person
			// reading the network panel learns what to change.
			writeError(w, &Error{Status: http.StatusForbidden, Code: CodeOriginNotAllowed, Description: "Origin not allowed",
				Message: fmt.Sprintf("origin %q is not allowed to call the mock: add it to cors.allowed_origins in the project file or to --cors-origins (MOCKIDP_CORS_ORIGINS)", truncate(origin[0], 128))})
			return true
		}
		return false
	}
	h["Access-Control-Allow-Origin"] = origin
	h["Access-Control-Allow-Credentials"] = corsTrue
	h["Vary"] = varyOrigin
	if !preflight {
		h["Access-Control-Expose-Headers"] = corsExposeHeaders
		return false
	}
	h["Access-Control-Allow-Methods"] = corsAllowMethods
	h["Access-Control-Allow-Headers"] = corsAllowHeaders
	h["Access-Control-Max-Age"] = corsMaxAge
	w.WriteHeader(http.StatusNoContent)
	return true
}
