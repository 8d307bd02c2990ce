package mockidp

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/descope-harness/harness/mockidp/project"
)

// oauthClient is what the authorization-code flow needs of a client.
type oauthClient struct {
	ID           string
	Public       bool     // no secret: authenticates by PKCE alone, PKCE required
	RedirectURIs []string // exact-match list, or "loopback" (oauth_project_client.go)
	Scopes       []string // extra scopes it may request beyond userScopes
	RequireState bool
	RequireNonce bool
}

// userScopes are the scopes any client may request in a user flow: the
// OIDC standard ones and Descope's (web-js-sdk's OIDC mode asks for "openid
// email roles descope.custom_claims offline_access" by default).
var userScopes = []string{"openid", "profile", "email", "phone", "offline_access", "roles", "descope.claims", "descope.custom_claims"}

// Limits on authorization request parameters (bytes).
const (
	maxClientIDBytes  = 128
	maxStateBytes     = 1024
	maxNonceBytes     = 512
	maxScopeBytes     = 1024
	maxLoginHintBytes = 256
	maxParamBytes     = 2048 // any other parameter
)

// authorizeRequest is a validated authorization request.
type authorizeRequest struct {
	ClientID      string
	RedirectURI   string
	Scopes        []string
	State         string
	Nonce         string
	CodeChallenge string // S256 only; "" when the (confidential) client sent none
	Prompt        string // "", "none", "login", "consent", "select_account"
	LoginHint     string
}

// authorizeError is a refused authorization request. With RedirectURI set
// it goes back to the client as an RFC 6749 §4.1.2.1 redirect; without, the
// client or redirect URI could not be trusted and the user sees a page.
type authorizeError struct {
	RedirectURI string // "" = show a page, never redirect
	State       string
	Code        string // RFC 6749 / OIDC error code
	Description string
}

func (e *authorizeError) Error() string { return e.Code + ": " + e.Description }

// redirectURL is where a redirecting error sends the user agent.
func (e *authorizeError) redirectURL() string {
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if e.State != "" {
		v.Set("state", e.State)
	}
	return redirectWith(e.RedirectURI, v)
}

// parseAuthorize validates an authorization request (query or form
// parameters). Failures before the client and its redirect URI are known to
// be good never redirect (RFC 6749 §4.1.2.1).
func parseAuthorize(values url.Values, lookup func(id string) (oauthClient, bool)) (authorizeRequest, *authorizeError) {
	req, client, err := parseAuthorizeClient(values, lookup)
	if err != nil {
		return req, err
	}
	return parseAuthorizeParams(values, client, req)
}

// oneValue is the value of a parameter sent at most once ("" when absent),
// or false when it is repeated.
func oneValue(values url.Values, name string) (string, bool) {
	v := values[name]
	if len(v) > 1 {
		return "", false
	}
	if len(v) == 0 {
		return "", true
	}
	return v[0], true
}

// parseAuthorizeClient is parseAuthorize's first half: the client and its
// redirect URI. Its errors are shown on the error page: the redirect URI
// is not known good yet.
func parseAuthorizeClient(values url.Values, lookup func(id string) (oauthClient, bool)) (authorizeRequest, oauthClient, *authorizeError) {
	var req authorizeRequest
	page := func(code, format string, args ...any) (authorizeRequest, oauthClient, *authorizeError) {
		return req, oauthClient{}, &authorizeError{Code: code, Description: fmt.Sprintf(format, args...)}
	}
	clientID, ok := oneValue(values, "client_id")
	switch {
	case !ok:
		return page("invalid_request", "client_id is repeated")
	case clientID == "":
		return page("invalid_request", "client_id is required")
	case len(clientID) > maxClientIDBytes:
		return page("invalid_request", "client_id is longer than %d bytes", maxClientIDBytes)
	}
	client, known := lookup(clientID)
	if !known {
		return page("invalid_client", "unknown client_id %q", truncate(clientID, 64))
	}
	redirectURI, ok := oneValue(values, "redirect_uri")
	switch {
	case !ok:
		return page("invalid_request", "redirect_uri is repeated")
	case redirectURI == "":
		return page("invalid_request", "redirect_uri is required")
	case len(redirectURI) > project.MaxRedirectURIBytes:
		return page("invalid_request", "redirect_uri is longer than %d bytes", project.MaxRedirectURIBytes)
	case !redirectAllowed(client.RedirectURIs, redirectURI):
		return page("invalid_request", "redirect_uri %q is not registered for client %q (registered URIs match exactly)", truncate(redirectURI, 128), truncate(clientID, 64))
	}
	req.ClientID, req.RedirectURI = clientID, redirectURI
	return req, client, nil
}

// parseAuthorizeParams is parseAuthorize's second half, once the client
// and its redirect URI are known good: its errors go back to the client.
// The state is echoed when it is usable; an oversized or repeated one is
// not.
func parseAuthorizeParams(values url.Values, client oauthClient, req authorizeRequest) (authorizeRequest, *authorizeError) {
	clientID := req.ClientID
	state, ok := oneValue(values, "state")
	back := &authorizeError{RedirectURI: req.RedirectURI}
	if ok && len(state) <= maxStateBytes {
		back.State = state
	}
	fail := func(code, format string, args ...any) (authorizeRequest, *authorizeError) {
		back.Code, back.Description = code, fmt.Sprintf(format, args...)
		return authorizeRequest{}, back
	}
	for name, v := range values {
		if len(v) > 1 {
			return fail("invalid_request", "parameter %s is repeated", truncate(name, 64))
		}
		if len(v[0]) > maxParamBytes {
			return fail("invalid_request", "parameter %s is longer than %d bytes", truncate(name, 64), maxParamBytes)
		}
	}
	if len(state) > maxStateBytes {
		return fail("invalid_request", "state is longer than %d bytes", maxStateBytes)
	}
	req.State = state

	switch rt := values.Get("response_type"); rt {
	case "code":
	case "":
		return fail("invalid_request", "response_type is required (only code is supported)")
	default:
		return fail("unsupported_response_type", "response_type %q is not supported: only code", truncate(rt, 64))
	}
	switch rm := values.Get("response_mode"); rm {
	case "", "query":
	default:
		return fail("invalid_request", "response_mode %q is not supported: only query", truncate(rm, 64))
	}
	if values.Get("request") != "" {
		return fail("request_not_supported", "request objects are not supported")
	}
	if values.Get("request_uri") != "" {
		return fail("request_uri_not_supported", "request_uri is not supported")
	}

	scope := values.Get("scope")
	if len(scope) > maxScopeBytes {
		return fail("invalid_request", "scope is longer than %d bytes", maxScopeBytes)
	}
	for _, sc := range strings.Fields(scope) {
		if !project.ValidScope(sc) {
			return fail("invalid_scope", "scope %q is not a valid scope token", truncate(sc, 64))
		}
		if !slices.Contains(userScopes, sc) && !slices.Contains(client.Scopes, sc) {
			return fail("invalid_scope", "scope %q is not allowed for client %q", truncate(sc, 64), truncate(clientID, 64))
		}
		if !slices.Contains(req.Scopes, sc) {
			req.Scopes = append(req.Scopes, sc)
		}
	}

	challenge, method := values.Get("code_challenge"), values.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return fail("invalid_request", "code_challenge_method without code_challenge")
	case challenge == "" && client.Public:
		return fail("invalid_request", "PKCE is required for public client %q: send code_challenge and code_challenge_method=S256", truncate(clientID, 64))
	case challenge != "" && method != "S256":
		if method == "" || method == "plain" {
			return fail("invalid_request", "code_challenge_method must be S256 (plain is not supported)")
		}
		return fail("invalid_request", "code_challenge_method %q is not supported: only S256", truncate(method, 64))
	case challenge != "" && !validS256Challenge(challenge):
		return fail("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code verifier")
	}
	req.CodeChallenge = challenge

	nonce := values.Get("nonce")
	switch {
	case len(nonce) > maxNonceBytes:
		return fail("invalid_request", "nonce is longer than %d bytes", maxNonceBytes)
	case nonce == "" && client.RequireNonce:
		return fail("invalid_request", "nonce is required by client %q", truncate(clientID, 64))
	case state == "" && client.RequireState:
		return fail("invalid_request", "state is required by client %q", truncate(clientID, 64))
	}
	req.Nonce = nonce

	prompt := strings.Fields(values.Get("prompt"))
	for _, p := range prompt {
		switch p {
		case "none", "login", "consent", "select_account":
		default:
			return fail("invalid_request", "prompt %q is not one of none, login, consent, select_account", truncate(p, 64))
		}
	}
	if slices.Contains(prompt, "none") && len(prompt) > 1 {
		return fail("invalid_request", "prompt=none cannot be combined with other values")
	}
	if slices.Contains(prompt, "none") {
		req.Prompt = "none"
	} else if slices.Contains(prompt, "login") || slices.Contains(prompt, "select_account") {
		req.Prompt = "login"
	}

	// Descope's OpenAPI spells it loginHint; OIDC clients send login_hint.
	hint := values.Get("login_hint")
	if hint == "" {
		hint = values.Get("loginHint")
	}
	if len(hint) > maxLoginHintBytes {
		return fail("invalid_request", "login_hint is longer than %d bytes", maxLoginHintBytes)
	}
	req.LoginHint = hint
	return req, nil
}
