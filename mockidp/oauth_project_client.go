package mockidp

import (
	"net/url"
	"slices"

	"github.com/descope-harness/harness/mockidp/project"
)

// ProjectClientSettings configures the project ID as an OAuth client
// (project.ProjectClientSettings).
type ProjectClientSettings = project.ProjectClientSettings

// RedirectLoopback is the keyword of any loopback redirect URI.
const RedirectLoopback = project.RedirectLoopback

// redirectAllowed reports whether uri is one of registered, exactly, or a
// loopback URL where registered holds "loopback".
func redirectAllowed(registered []string, uri string) bool {
	if slices.Contains(registered, uri) {
		return true
	}
	return slices.Contains(registered, RedirectLoopback) && loopbackRedirect(uri)
}

// loopbackRedirect reports whether uri is an http(s) URL on localhost,
// 127.0.0.1 or [::1] that could be registered (no fragment, no user
// information).
func loopbackRedirect(uri string) bool {
	if project.CheckRedirectURI(uri) != nil {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return loopbackOrigin(u.Scheme + "://" + u.Host)
}

// userClient finds a client of the user-login endpoints (authorize, token,
// end session): a configured client, else the project ID's.
func (s *Server) userClient(id string) (Client, bool) {
	c, ok := s.state.Client(id)
	if ok {
		return c, true
	}
	if id == s.project.ID && s.projectClient.ID != "" {
		return s.projectClient, true
	}
	return Client{}, false
}
