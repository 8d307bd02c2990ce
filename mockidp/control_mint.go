package mockidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/keys"
)

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
		c, ok := s.state.Client(req.ClientID)
		if !ok {
			return MintResponse{}, mockNotFound("client %q not found", truncate(req.ClientID, 64))
		}
		scopes := c.DefaultScopes
		if req.Scope != "" {
			scopes = strings.Fields(req.Scope)
		}
		claims = issue.ClientClaims(s.project, c, iss, scopes, nil, now)
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
		claims["iat"] = req.IssuedAt.UnixAt(now)
	}
	if req.NotBefore != nil {
		claims["nbf"] = req.NotBefore.UnixAt(now)
	}
	if req.Expiry != nil {
		claims["exp"] = req.Expiry.UnixAt(now)
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
		hs, err = s.signer.HeaderSegment(kid) // the bytes issue.EncodeSegment(h) writes
	} else {
		hs, err = issue.EncodeSegment(h)
	}
	if err != nil {
		return "", err
	}
	payload, err := issue.EncodeClaims(claims)
	if err != nil {
		return "", mockBadRequest("claims cannot be encoded as JSON: %v", err)
	}
	if n := issue.TokenLength(hs, len(payload), key.Private.Size()); n > MaxTokenBytes {
		return "", mockBadRequest("%s", (&issue.TooLargeError{Bytes: n}).Error())
	}
	input := issue.AppendSigningInput(nil, hs, payload)
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
		token, err := issue.AppendSignature(input, key.Private)
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
