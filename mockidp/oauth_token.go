package mockidp

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/descope-harness/harness/mockidp/issue"
)

// tokenRequest is a token request after parsing.
type tokenRequest struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Scope        string
	Audience     []string
	// The authorization_code and refresh_token grants' parameters (oauth_token_grants.go).
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
	// The revocation endpoint's (RFC 7009).
	Token         string
	TokenTypeHint string
}

// handleToken serves the token endpoint; form is the issuer form of the
// tokens it issues ("" for the project's).
func (s *Server) handleToken(form string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		issuerForm := form
		if issuerForm == "" {
			issuerForm = s.project.IssuerForm
		}
		req, err := s.parseTokenRequest(w, r)
		if err != nil {
			s.metrics.countToken(metricClient(req.ClientID, s), outcomeOf(err))
			return 0, err
		}
		resp, err := s.grantTokens(req, issuerForm, s.baseURL(r))
		s.metrics.countToken(metricClient(req.ClientID, s), outcomeOf(err))
		if err != nil {
			// A client_id the mock does not know may be a secret sent in its
			// place: only a known one is logged.
			s.log.Info("token request refused", "client_id", metricClient(req.ClientID, s), "reason", asError(err).Message)
			return 0, err
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		return writeJSON(w, http.StatusOK, resp), nil
	}
}

// parseTokenRequest reads the body (form or JSON) and the client credentials
// (HTTP Basic or body).
func (s *Server) parseTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, error) {
	req, err := s.readTokenParams(w, r)
	if err != nil {
		return req, err
	}
	if req.GrantType == "" {
		return req, badRequest("grant_type is required")
	}
	if req.ClientID == "" {
		return req, badClient("client authentication is required: HTTP Basic or client_id and client_secret in the body")
	}
	return req, nil
}

// readTokenParams is parseTokenRequest without its checks of grant_type
// and client_id (the revocation endpoint has neither).
func (s *Server) readTokenParams(w http.ResponseWriter, r *http.Request) (tokenRequest, error) {
	var req tokenRequest
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return req, badRequest("Content-Type must be application/x-www-form-urlencoded or application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, tooLarge(s.cfg.MaxBodyBytes)
		}
		return req, badRequest("reading body: %v", err)
	}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		req, err = parseTokenForm(body)
	case "application/json":
		req, err = parseTokenJSON(body)
	default:
		return req, badRequest("Content-Type %q is not supported: use application/x-www-form-urlencoded or application/json", truncate(mediaType, 64))
	}
	if err != nil {
		return req, err
	}
	if id, secret, ok := r.BasicAuth(); ok {
		id, secret = formUnescape(id), formUnescape(secret)
		if (req.ClientID != "" && req.ClientID != id) || (req.ClientSecret != "" && req.ClientSecret != secret) {
			return req, badRequest("client credentials in the Authorization header and in the body disagree")
		}
		req.ClientID, req.ClientSecret = id, secret
	} else if r.Header.Get("Authorization") != "" {
		return req, badClient("Authorization header must use the Basic scheme with client credentials")
	}
	return req, nil
}

// formUnescape undoes the form encoding RFC 6749 §2.3.1 applies to Basic credentials.
func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func parseTokenForm(body []byte) (tokenRequest, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenRequest{}, badRequest("malformed form body: %v", err)
	}
	for k, v := range values {
		if len(v) > 1 {
			return tokenRequest{}, badRequest("parameter %q is repeated", truncate(k, 64))
		}
	}
	req := tokenRequest{
		GrantType:     values.Get("grant_type"),
		ClientID:      values.Get("client_id"),
		ClientSecret:  values.Get("client_secret"),
		Scope:         values.Get("scope"),
		Code:          values.Get("code"),
		RedirectURI:   values.Get("redirect_uri"),
		CodeVerifier:  values.Get("code_verifier"),
		RefreshToken:  values.Get("refresh_token"),
		Token:         values.Get("token"),
		TokenTypeHint: values.Get("token_type_hint"),
	}
	if a := values.Get("audience"); a != "" {
		req.Audience = []string{a}
	}
	return req, nil
}

func parseTokenJSON(body []byte) (tokenRequest, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return tokenRequest{}, badRequest("malformed JSON body: want an object of string parameters")
	}
	var req tokenRequest
	fields := map[string]*string{"grant_type": &req.GrantType, "client_id": &req.ClientID, "client_secret": &req.ClientSecret, "scope": &req.Scope,
		"code": &req.Code, "redirect_uri": &req.RedirectURI, "code_verifier": &req.CodeVerifier, "refresh_token": &req.RefreshToken,
		"token": &req.Token, "token_type_hint": &req.TokenTypeHint}
	for name, dst := range fields {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return req, badRequest("%s must be a string", name)
		}
	}
	if v, ok := raw["audience"]; ok && string(v) != "null" {
		var one string
		if err := json.Unmarshal(v, &one); err == nil {
			if one != "" {
				req.Audience = []string{one}
			}
		} else if err := json.Unmarshal(v, &req.Audience); err != nil {
			return req, badRequest("audience must be a string or an array of strings")
		}
	}
	return req, nil
}

// issueClientToken authenticates the client and signs its token.
func (s *Server) issueClientToken(client Client, req tokenRequest, iss string) (TokenResponse, error) {
	scopes, err := grantScopes(client, req.Scope)
	if err != nil {
		return TokenResponse{}, err
	}
	now := s.clock.Now()
	claims := issue.ClientClaims(s.project, client, iss, scopes, req.Audience, now)
	token, err := s.sign(s.keys.Current(), claims)
	if err != nil {
		return TokenResponse{}, err
	}
	scope, _ := claims["scope"].(string) // issue.JoinScopes(scopes); absent when there are none
	return TokenResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   claims["exp"].(int64) - now.Unix(),
		Scope:       scope,
	}, nil
}

// dummySecret keeps the comparison time the same for unknown clients.
const dummySecret = "mockidp-unknown-client-secret-comparison"

// authenticateClient compares the secret in constant time.
func (s *Server) authenticateClient(id, secret string) (Client, bool) {
	c, ok := s.state.Client(id)
	want := dummySecret
	if ok {
		want = c.Secret
	}
	match := subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
	return c, ok && match
}

// grantScopes checks requested scopes against the client's allowed ones;
// no request means the client's default scopes.
func grantScopes(c Client, requested string) ([]string, error) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return c.DefaultScopes, nil
	}
	out := make([]string, 0, len(fields))
	for _, sc := range fields {
		if !slices.Contains(c.Scopes, sc) {
			return nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalidScope, Description: "Invalid argument", Message: "scope " + truncate(sc, 64) + " is not allowed for this client"}
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Description: "Request is too large", Message: "request body exceeds " + strconv.FormatInt(limit, 10) + " bytes"}
}

// metricClient keeps label cardinality bounded: unknown client IDs share one label.
func metricClient(id string, s *Server) string {
	_, ok := s.state.Client(id)
	if ok {
		return id
	}
	return "unknown"
}

func outcomeOf(err error) string {
	if err == nil {
		return "issued"
	}
	e := asError(err)
	switch e.Code {
	case CodeBadClient:
		return "invalid_client"
	case CodeInvalidScope:
		return "invalid_scope"
	case CodeTooLarge:
		return "too_large"
	default:
		return "bad_request"
	}
}
