package issue

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/mockidp/keys"
)

// Reasons Verify refuses a token; each message is what a refusal says.
var (
	ErrTooLarge     = errors.New("token too large")
	ErrMalformed    = errors.New("malformed token")
	ErrUnknownKeyID = errors.New("unknown key id")
	ErrSignature    = errors.New("invalid signature")
	ErrClaims       = errors.New("malformed claims")
	ErrMissingExp   = errors.New("missing exp")
	ErrExpired      = errors.New("token has expired")
	ErrNotYetValid  = errors.New("token is not yet valid")
)

// Verify checks a token the mock signed: RS256 only, signed by a key ks
// publishes, and, unless now is the zero time,
// exp and nbf against now. It returns the claims with numbers as
// json.Number. A zero now is for an ID token hint at logout, which clients
// send long after it expired (OIDC RP-Initiated Logout 1.0 §2).
func Verify(ks *keys.Set, now time.Time, token string) (map[string]any, error) {
	if len(token) > MaxTokenBytes {
		return nil, ErrTooLarge
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, ErrMalformed
	}
	key, ok := ks.Lookup(jws.Signatures[0].Header.KeyID)
	if !ok {
		return nil, ErrUnknownKeyID
	}
	payload, err := jws.Verify(&key.Private.PublicKey)
	if err != nil {
		return nil, ErrSignature
	}
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, ErrClaims
	}
	if now.IsZero() {
		return claims, nil
	}
	sec := now.Unix()
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return nil, ErrMissingExp
	}
	if e, err := exp.Int64(); err != nil || sec >= e {
		return nil, ErrExpired
	}
	if nbf, ok := claims["nbf"].(json.Number); ok {
		if n, err := nbf.Int64(); err != nil || sec < n {
			return nil, ErrNotYetValid
		}
	}
	return claims, nil
}

// Kinds of token, as Kind tells them apart.
const (
	KindAccess         = "access_token"  // OAuth access token (token_type access_token, no drn)
	KindID             = "id_token"      // OIDC ID token
	KindRefresh        = "refresh_token" // OAuth refresh token
	KindSession        = "DS"            // Descope session JWT (drn DS), user or access key
	KindSessionRefresh = "DSR"           // Descope refresh JWT (drn DSR)
)

// Kind says which kind of token claims belong to: a Descope session or
// refresh JWT by its drn (the claim the Descope SDKs tell them apart by),
// else an OAuth token by its token_type; "" for anything else (a minted
// token without either).
func Kind(claims map[string]any) string {
	if drn, ok := claims["drn"].(string); ok {
		switch drn {
		case KindSession, KindSessionRefresh:
			return drn
		}
		return ""
	}
	switch tt, _ := claims["token_type"].(string); tt {
	case KindAccess, KindID, KindRefresh:
		return tt
	}
	return ""
}
