package mockidp

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/state"
)

// The token endpoint's user grants: authorization_code (RFC 6749 §4.1.3
// with PKCE, RFC 7636 §4.6) and refresh_token (§6). Failures are Descope's
// error body with the RFC 6749 §5.2 code added as "error" (Descope's OpenAPI
// has an "error" member in token responses; generic OAuth clients read it):
// invalid_request, invalid_client, invalid_grant, unauthorized_client,
// unsupported_grant_type, invalid_scope.

func oauthError(status int, code, rfc, format string, args ...any) *Error {
	e := badRequest(format, args...)
	e.Status, e.Code, e.OAuth = status, code, rfc
	switch rfc {
	case "invalid_grant":
		e.Description = "Invalid grant"
	case "invalid_client":
		e.Description = "Invalid client credentials"
	case "unauthorized_client":
		e.Description = "Unauthorized client"
	case "unsupported_grant_type":
		e.Description = "Unsupported grant type"
	case "invalid_scope":
		e.Description = "Invalid argument"
	}
	return e
}

func invalidGrant(format string, args ...any) *Error {
	return oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_grant", format, args...)
}

// grantTokens authenticates the client and answers the request's grant.
// issuerForm is the token endpoint's (client credentials); user grants use
// the form of the authorization endpoint their login went through.
func (s *Server) grantTokens(req tokenRequest, issuerForm, base string) (TokenResponse, error) {
	client, err := s.authenticateTokenClient(req)
	if err != nil {
		return TokenResponse{}, err
	}
	switch req.GrantType {
	case "client_credentials":
		if client.Public {
			return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadClient, "unauthorized_client", "public client %q cannot use client_credentials", truncate(client.ID, 64))
		}
		return s.issueClientToken(client, req, s.issuer(issuerForm, base))
	case "authorization_code":
		return s.exchangeCode(client, req, base)
	case "refresh_token":
		return s.refreshTokens(client, req, base)
	}
	return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadRequest, "unsupported_grant_type",
		"unsupported grant_type %q: use client_credentials, authorization_code or refresh_token", truncate(req.GrantType, 64))
}

// authenticateTokenClient: a confidential client by its secret (constant
// time), a public client by its client_id alone (it must send no secret;
// PKCE authenticates the exchange).
func (s *Server) authenticateTokenClient(req tokenRequest) (Client, error) {
	c, ok := s.userClient(req.ClientID)
	if ok && c.Public {
		if req.ClientSecret != "" {
			return Client{}, badClient("client %q is public: it authenticates with PKCE and sends no client_secret", truncate(c.ID, 64))
		}
		return c, nil
	}
	if req.ClientSecret == "" {
		return Client{}, badClient("client authentication is required: HTTP Basic or client_id and client_secret in the body")
	}
	c, ok = s.authenticateClient(req.ClientID, req.ClientSecret)
	if !ok {
		return Client{}, badClient("invalid client credentials")
	}
	return c, nil
}

// exchangeCode redeems an authorization code. A reused code revokes the
// tokens its first exchange issued (RFC 6749 §4.1.2).
func (s *Server) exchangeCode(client Client, req tokenRequest, base string) (TokenResponse, error) {
	switch {
	case req.Code == "":
		return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "code is required")
	case req.RedirectURI == "":
		return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "redirect_uri is required: the one the authorization request sent")
	case len(req.Code) > 256 || len(req.RedirectURI) > project.MaxRedirectURIBytes || len(req.CodeVerifier) > 128:
		return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "code, redirect_uri or code_verifier is too long")
	}
	grant, family, user, err := s.state.RedeemCode(req.Code, client.ID, req.RedirectURI, req.CodeVerifier)
	if err != nil {
		return TokenResponse{}, stateError(err)
	}
	now := s.clock.Now()
	return s.issueUserTokens(grant, user, family, issue.UserTokens{
		Issuer: s.issuer(grant.IssuerForm, base), ProjectID: s.project.ID, Now: now,
		AccessTTL:  time.Duration(s.project.Sessions.SessionTTL),
		RefreshExp: now.Add(time.Duration(s.project.Sessions.RefreshTTL)),
	}, true, true)
}

// refreshTokens answers the refresh_token grant. With the project's
// sessions.refresh_rotation it issues a new refresh token and the one sent
// is refused afterwards (reusing it revokes the family); without, the
// response carries no refresh token and the client keeps its own.
func (s *Server) refreshTokens(client Client, req tokenRequest, base string) (TokenResponse, error) {
	if req.RefreshToken == "" {
		return TokenResponse{}, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "refresh_token is required")
	}
	claims, err := s.VerifyToken(req.RefreshToken)
	if err != nil {
		return TokenResponse{}, invalidGrant("refresh token: %v", err)
	}
	if claims["token_type"] != "refresh_token" {
		return TokenResponse{}, invalidGrant("the token is not a refresh token of the OAuth endpoints")
	}
	rotate := s.project.Sessions.RefreshRotation
	family, grant, user, err := s.state.UseRefresh(req.RefreshToken, client.ID, rotate)
	if err != nil {
		return TokenResponse{}, stateError(err)
	}
	if req.Scope != "" {
		narrowed := strings.Fields(req.Scope)
		for _, sc := range narrowed {
			if !slices.Contains(grant.Scopes, sc) {
				return TokenResponse{}, oauthError(http.StatusBadRequest, CodeInvalidScope, "invalid_scope", "scope %q was not granted by the login", truncate(sc, 64))
			}
		}
		grant.Scopes = narrowed
	}
	now := s.clock.Now()
	refreshExp := now.Add(time.Duration(s.project.Sessions.RefreshTTL))
	if !rotate {
		// The refresh token keeps its own expiry; rexp says so.
		if exp, ok := claims["exp"].(json.Number); ok {
			if e, err := exp.Int64(); err == nil {
				refreshExp = time.Unix(e, 0)
			}
		}
	}
	return s.issueUserTokens(grant, user, family, issue.UserTokens{
		Issuer: s.issuer(grant.IssuerForm, base), ProjectID: s.project.ID, Now: now,
		AccessTTL: time.Duration(s.project.Sessions.SessionTTL), RefreshExp: refreshExp,
	}, rotate, false)
}

// issueUserTokens signs the access token, the ID token (scope openid) and,
// when newRefresh, a refresh token, and records them in the family.
// withNonce is false on refresh (OIDC Core §12.2).
func (s *Server) issueUserTokens(g state.Grant, u User, family string, t issue.UserTokens, newRefresh, withNonce bool) (TokenResponse, error) {
	key := s.keys.Current()
	ig := issue.Grant{ClientID: g.ClientID, Scopes: g.Scopes, AMR: g.AMR, AuthTime: g.AuthTime, Nonce: g.Nonce}
	accessClaims := t.AccessTokenClaims(ig, u, s.UserClaims(u, ""), issue.NewJTI())
	access, err := s.sign(key, accessClaims)
	if err != nil {
		return TokenResponse{}, err
	}
	resp := TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(t.AccessTTL / time.Second), Scope: issue.JoinScopes(g.Scopes)}
	if slices.Contains(g.Scopes, "openid") {
		if resp.IDToken, err = s.sign(key, t.IDTokenClaims(ig, u, withNonce, issue.NewJTI())); err != nil {
			return TokenResponse{}, err
		}
	}
	if newRefresh {
		if resp.RefreshToken, err = s.sign(key, t.RefreshTokenClaims(ig, u, issue.NewJTI())); err != nil {
			return TokenResponse{}, err
		}
	}
	s.state.RecordTokens(family, resp.RefreshToken, t.RefreshExp, access, t.Now.Add(t.AccessTTL))
	return resp, nil
}
