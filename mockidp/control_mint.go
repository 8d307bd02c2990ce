package mockidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

// Presets of classic bad tokens for MintRequest.Preset.
const (
	PresetExpired        = "expired"
	PresetNotYetValid    = "not_yet_valid"
	PresetWrongIssuer    = "wrong_issuer"
	PresetWrongAudience  = "wrong_audience"
	PresetUnpublishedKey = "unpublished_key"
	PresetUnknownKid     = "unknown_kid"
	PresetBadSignature   = "bad_signature"
	PresetAlgNone        = "alg_none"
	PresetHS256PublicKey = "hs256_public_key"
	PresetMissingExp     = "missing_exp"
)

// Presets lists every preset name.
var Presets = []string{PresetExpired, PresetNotYetValid, PresetWrongIssuer, PresetWrongAudience, PresetUnpublishedKey,
	PresetUnknownKid, PresetBadSignature, PresetAlgNone, PresetHS256PublicKey, PresetMissingExp}

// MintRequest asks for any token (POST /_mock/tokens).
type MintRequest struct {
	// ClientID (optional) - start from the claims this client's token would carry.
	ClientID string `json:"client_id,omitempty"`
	// Scope (optional, with ClientID) - scopes to grant, space-separated; not
	// checked against the client's allowed scopes.
	Scope string `json:"scope,omitempty"`
	// Claims (optional) - claims to add or override; a null value removes one.
	Claims map[string]any `json:"claims,omitempty"`
	// IssuedAt, NotBefore, Expiry (optional) - unix seconds, RFC 3339, or an
	// offset from now such as "+5m" or "-1h".
	IssuedAt  *TimeSpec `json:"iat,omitempty"`
	NotBefore *TimeSpec `json:"nbf,omitempty"`
	Expiry    *TimeSpec `json:"exp,omitempty"`
	// Kid (optional, default the current key) - a published key to sign with.
	Kid string `json:"kid,omitempty"`
	// Preset (optional) - one of the classic bad tokens (see Presets).
	Preset string `json:"preset,omitempty"`
	// Issuer (optional) - overrides iss (default per the project's issuer form).
	Issuer string `json:"iss,omitempty"`
}

// MintResponse is the minted token and what went into it (wire type).
type MintResponse struct {
	Token  string         `json:"token"`
	Kid    string         `json:"kid"`
	Header map[string]any `json:"header"`
	Claims Claims         `json:"claims"`
}

// TimeSpec is an instant given as unix seconds, RFC 3339 text or an offset
// from the mock's now ("+90s", "-1h").
type TimeSpec struct {
	Unix   *int64
	Offset *time.Duration
	At     *time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *TimeSpec) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return fmt.Errorf("time %s must be whole unix seconds", n)
		}
		t.Unix = &v
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time must be unix seconds, RFC 3339 text or an offset like \"+5m\"")
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("offset %q: want a signed Go duration like \"+5m\"", s)
		}
		t.Offset = &d
		return nil
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("time %q: want unix seconds, RFC 3339 or an offset like \"+5m\"", s)
	}
	t.At = &at
	return nil
}

// MarshalJSON writes the form UnmarshalJSON reads: unix seconds, RFC 3339
// text, or a signed offset such as "+1m30s".
func (t *TimeSpec) MarshalJSON() ([]byte, error) {
	switch {
	case t.Unix != nil:
		return []byte(strconv.FormatInt(*t.Unix, 10)), nil
	case t.Offset != nil:
		s := t.Offset.String()
		if *t.Offset >= 0 {
			s = "+" + s
		}
		return json.Marshal(s)
	case t.At != nil:
		return json.Marshal(t.At.Format(time.RFC3339))
	}
	return []byte("null"), nil
}

// Offset returns a TimeSpec of now+d, for Go callers.
func Offset(d time.Duration) *TimeSpec { return &TimeSpec{Offset: &d} }

// At returns a TimeSpec of a fixed instant, for Go callers.
func At(t time.Time) *TimeSpec { u := t.Unix(); return &TimeSpec{Unix: &u} }

func (t *TimeSpec) resolve(now time.Time) int64 {
	switch {
	case t.Unix != nil:
		return *t.Unix
	case t.Offset != nil:
		return now.Add(*t.Offset).Unix()
	case t.At != nil:
		return t.At.Unix()
	}
	return now.Unix()
}

// Mint signs any token, for tests. The issuer base is the configured public
// URL (or http://localhost); the control plane uses the request's base.
func (s *Server) Mint(req MintRequest) (MintResponse, error) {
	base := s.cfg.PublicURL
	if base == "" {
		base = "http://localhost"
	}
	return s.mint(req, base)
}

func (s *Server) mint(req MintRequest, base string) (MintResponse, error) {
	now := s.clock.Now()
	iss := req.Issuer
	if iss == "" {
		iss = s.issuer(s.project.IssuerForm, base)
	}
	var claims Claims
	if req.ClientID != "" {
		s.mu.RLock()
		c, ok := s.clients[req.ClientID]
		s.mu.RUnlock()
		if !ok {
			return MintResponse{}, mockNotFound("client %q not found", truncate(req.ClientID, 64))
		}
		scopes := c.DefaultScopes
		if req.Scope != "" {
			scopes = strings.Fields(req.Scope)
		}
		claims = s.clientClaims(c, iss, scopes, nil, now)
	} else {
		claims = Claims{
			"aud": []string{s.project.ID}, "exp": now.Add(time.Duration(s.project.TokenTTL)).Unix(), "iat": now.Unix(),
			"iss": iss, "sub": "mock-subject", "token_type": "access_token",
		}
		if req.Scope != "" {
			claims["scope"] = req.Scope
		}
	}
	for k, v := range req.Claims {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	if req.IssuedAt != nil {
		claims["iat"] = req.IssuedAt.resolve(now)
	}
	if req.NotBefore != nil {
		claims["nbf"] = req.NotBefore.resolve(now)
	}
	if req.Expiry != nil {
		claims["exp"] = req.Expiry.resolve(now)
	}

	key := s.keys.Current()
	if req.Kid != "" {
		k, ok := s.keys.Lookup(req.Kid)
		if !ok {
			return MintResponse{}, mockBadRequest("kid %q is not a published key", truncate(req.Kid, 64))
		}
		key = k
	}
	h := map[string]any{"alg": "RS256", "kid": key.ID, "typ": "JWT"}
	switch req.Preset {
	case "":
	case PresetExpired:
		claims["exp"] = now.Add(-time.Hour).Unix()
		claims["iat"] = now.Add(-time.Hour - time.Duration(s.project.TokenTTL)).Unix()
	case PresetNotYetValid:
		claims["nbf"] = now.Add(time.Hour).Unix()
	case PresetWrongIssuer:
		claims["iss"] = "https://wrong-issuer.example.com/" + s.project.ID
	case PresetWrongAudience:
		claims["aud"] = []string{"wrong-audience"}
	case PresetUnpublishedKey:
		key = s.keys.Unpublished()
		h["kid"] = key.ID
	case PresetUnknownKid:
		h["kid"] = "SK" + strings.Repeat("0", 20) + "Unknown"
	case PresetMissingExp:
		delete(claims, "exp")
	case PresetAlgNone:
		h = map[string]any{"alg": "none", "kid": key.ID, "typ": "JWT"}
	case PresetHS256PublicKey:
		h = map[string]any{"alg": "HS256", "kid": key.ID, "typ": "JWT"}
	case PresetBadSignature:
	default:
		return MintResponse{}, mockBadRequest("preset %q is not one of %v", truncate(req.Preset, 64), Presets)
	}
	token, err := s.signWithHeader(key, h, claims)
	if err != nil {
		return MintResponse{}, err
	}
	if req.Preset == PresetBadSignature {
		token = corruptSignature(token)
	}
	return MintResponse{Token: token, Kid: fmt.Sprint(h["kid"]), Header: h, Claims: claims}, nil
}

// signWithHeader signs per the header's alg: RS256 with key, HS256 keyed with
// the PEM of key's public half (the classic key-confusion attack), or none.
func (s *Server) signWithHeader(key *keys.Key, h map[string]any, claims Claims) (string, error) {
	var hs string
	var err error
	if kid, ok := h["kid"].(string); ok && len(h) == 3 && h["alg"] == "RS256" && h["typ"] == "JWT" {
		hs, err = s.headers.get(kid) // the bytes encodeSegment(h) writes
	} else {
		hs, err = encodeSegment(h)
	}
	if err != nil {
		return "", err
	}
	payload, err := encodeClaims(claims)
	if err != nil {
		return "", mockBadRequest("claims cannot be encoded as JSON: %v", err)
	}
	input := appendSigningInput(nil, hs, payload)
	switch h["alg"] {
	case "none":
		return string(append(input, '.')), nil
	case "HS256":
		der, err := x509.MarshalPKIXPublicKey(&key.Private.PublicKey)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		mac.Write(input)
		input = append(input, '.')
		return string(base64.RawURLEncoding.AppendEncode(input, mac.Sum(nil))), nil
	default:
		token, err := appendSignature(input, key.Private)
		return string(token), err
	}
}

// corruptSignature flips bits in the signature's first byte.
func corruptSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		return token
	}
	sig[0] ^= 0xFF
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func (s *Server) ctlMint(w http.ResponseWriter, r *http.Request) (int, error) {
	var req MintRequest
	if err := s.decodeBody(w, r, &req, true); err != nil {
		return 0, err
	}
	resp, err := s.mint(req, s.baseURL(r))
	if err != nil {
		return 0, err
	}
	// A minted token is a credential like any other: never cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	return writeJSON(w, http.StatusOK, resp), nil
}
