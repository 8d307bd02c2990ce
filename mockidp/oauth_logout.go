package mockidp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
)

// handleEndSession serves GET|POST /oauth2/v1/logout (OpenID Connect
// RP-Initiated Logout): id_token_hint, client_id, post_logout_redirect_uri
// and state. The user's refresh-token families at the client are revoked
// (with their access tokens); then the user agent goes to the
// post_logout_redirect_uri, with state, when that URI is registered for the
// client, or sees the signed-out page. An unregistered URI is an error page,
// never a redirect.
func (s *Server) handleEndSession(w http.ResponseWriter, r *http.Request) (int, error) {
	values, _, err := s.authorizeValues(w, r)
	if err != nil {
		return writePage(w, http.StatusBadRequest, errorPage("Invalid logout request", "invalid_request", err.Error(), "")), nil
	}
	refuse := func(desc string) (int, error) {
		s.log.Info("logout request refused", "reason", desc)
		return writePage(w, http.StatusBadRequest, errorPage("Invalid logout request", "invalid_request", desc, "")), nil
	}
	for name, v := range values {
		if len(v) > 1 {
			return refuse("parameter " + truncate(name, 64) + " is repeated")
		}
		if len(v[0]) > 16<<10 {
			return refuse("parameter " + truncate(name, 64) + " is too long")
		}
	}
	clientID, hint := values.Get("client_id"), values.Get("id_token_hint")
	var userID string
	if hint != "" {
		claims, err := s.parseIDTokenHint(hint)
		if err != nil {
			return refuse("id_token_hint: " + err.Error())
		}
		aud := audienceOf(claims["aud"])
		if clientID == "" && len(aud) == 1 {
			clientID = aud[0]
		}
		if clientID != "" && !slices.Contains(aud, clientID) {
			return refuse("id_token_hint was not issued to client_id " + truncate(clientID, 64))
		}
		userID, _ = claims["sub"].(string)
	}
	redirect := values.Get("post_logout_redirect_uri")
	var client Client
	if clientID != "" {
		c, ok := s.userClient(clientID)
		if !ok {
			return refuse("unknown client_id " + truncate(clientID, 64))
		}
		client = c
	}
	if redirect != "" {
		if clientID == "" {
			return refuse("post_logout_redirect_uri needs client_id or id_token_hint to say whose URI it is")
		}
		if !redirectAllowed(client.PostLogoutRedirectURIs, redirect) {
			return refuse("post_logout_redirect_uri " + truncate(redirect, 128) + " is not registered for client " + truncate(clientID, 64) + " (registered URIs match exactly)")
		}
	}
	if userID != "" {
		s.state.EndClientSessions(userID, clientID)
	}
	w.Header()["Cache-Control"] = noStore
	if redirect == "" {
		return writePage(w, http.StatusOK, signedOutPage), nil
	}
	v := url.Values{}
	if st := values.Get("state"); st != "" && len(st) <= maxStateBytes {
		v.Set("state", st)
	}
	target := redirect
	if len(v) > 0 {
		target = redirectWith(redirect, v)
	}
	http.Redirect(w, r, target, http.StatusFound)
	return http.StatusFound, nil
}

// audienceOf reads an aud claim: a string or an array of strings.
func audienceOf(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// parseIDTokenHint checks an ID token's signature against the published
// keys and returns its claims. An expired token is accepted: RP-initiated
// logout sends the ID token the client holds, often past its exp.
func (s *Server) parseIDTokenHint(token string) (map[string]any, error) {
	claims, err := issue.Verify(s.keys, time.Time{}, token)
	if err != nil {
		return nil, err
	}
	if issue.Kind(claims) != issue.KindID {
		return nil, errNotIDToken
	}
	return claims, nil
}

// errNotIDToken refuses an id_token_hint that is another kind of token.
var errNotIDToken = errors.New("not an ID token")
