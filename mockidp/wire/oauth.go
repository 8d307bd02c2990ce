package wire

// TokenResponse is the token endpoint's success body (wire type).
// Its fields are in the order of a captured Descope authorization_code
// response:
// access_token, token_type, refresh_token, id_token, expires_in, scope.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"` // whole seconds, never a time.Duration
	Scope        string `json:"scope,omitempty"`
}
