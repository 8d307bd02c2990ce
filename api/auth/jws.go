package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	jose "github.com/go-jose/go-jose/v4"
)

// parsedToken is a compact JWS parsed by go-jose, not yet verified: its one
// signature (header and signature bytes) and its payload.
type parsedToken struct {
	sig     jose.Signature
	payload []byte
}

// header is the signature's header, as go-jose sanitised it.
func (p *parsedToken) header() *jose.Header { return &p.sig.Header }

// verify checks the signature with key through go-jose and returns the
// payload. It is jose.JSONWebSignature.Verify: Verify is DetachedVerify of
// the parsed payload.
func (p *parsedToken) verify(key any) ([]byte, error) {
	jws := jose.JSONWebSignature{Signatures: []jose.Signature{p.sig}}
	if err := jws.DetachedVerify(p.payload, key); err != nil {
		return nil, err
	}
	return p.payload, nil
}

// parseToken parses a compact JWS with go-jose, accepting only the allowed
// algorithms. The signature is not checked here: the key the kid names does
// that (parsedToken.verify).
//
// A header segment that go-jose parsed before, for a token whose signature
// then verified, is not parsed again (see headerCache): only the payload and
// signature segments are decoded, the way go-jose decodes them.
//
// Any other token is parsed from go-jose's verdict on its header segment
// (see refusalCache), for refusing it: when partial is true, p has the
// header but no payload or signature, and the token must be parsed in full
// (parseTokenFull) before its signature is checked.
func (v *Validator) parseToken(token string) (p parsedToken, partial bool, err error) {
	if p, ok := v.headers.parse(token); ok {
		return p, false, nil
	}
	p, err = v.parseRefusal(token)
	return p, err == nil, err
}

// parseTokenFull is go-jose's parse of the whole token.
func (v *Validator) parseTokenFull(token string) (parsedToken, error) {
	jws, err := jose.ParseSignedCompact(token, v.cfg.algorithms)
	if err != nil {
		return parsedToken{}, v.classifyParseError(token)
	}
	if len(jws.Signatures) != 1 {
		return parsedToken{}, ErrMalformed
	}
	return parsedToken{sig: jws.Signatures[0], payload: jws.UnsafePayloadWithoutVerification()}, nil
}

// maxHeaderTemplates bounds the header cache. A provider signs with one
// header per key (alg, kid, typ), so a handful covers a rotation or two;
// when the cache is full it starts again from the newest header.
const maxHeaderTemplates = 16

// headerCache maps the header segment of a compact JWS (the exact base64
// text) to go-jose's parse of it, so that a new token from the same signer
// costs go-jose one signature check instead of a parse and a check.
//
// Why it is exact: jose.ParseSignedCompact(h.p.s) splits the token into
// three segments (refusing more or fewer), base64url-decodes each with
// base64.RawURLEncoding.DecodeString, and builds its one signature from h
// and the allowed algorithms alone, plus the decoded s as Signature.Signature
// and the decoded p as the payload. parse does the same split and the same
// two decodes, and takes the rest from a parse of the same h under the same
// algorithms. Anything that does not split or decode falls back to the full
// parse, so refusals keep go-jose's classification. Verification is then the
// same jose.JSONWebSignature.DetachedVerify call on both paths.
// FuzzHeaderCache checks the two paths agree.
//
// Only headers of tokens whose signature verified with a key of the key set
// are added (see Validator.validate), so the cache cannot be filled with
// arbitrary headers. Readers never lock: the map is replaced whole.
type headerCache struct {
	m atomic.Pointer[map[string]jose.Signature]
}

// parse returns the token parsed with a cached header, or ok false when the
// header is not cached or the token does not split or decode cleanly.
func (c *headerCache) parse(token string) (p parsedToken, ok bool) {
	m := c.m.Load()
	if m == nil {
		return parsedToken{}, false
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return parsedToken{}, false
	}
	sig, found := (*m)[h]
	if !found {
		return parsedToken{}, false
	}
	payload, signature, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(signature, '.') >= 0 {
		return parsedToken{}, false
	}
	decodedPayload, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return parsedToken{}, false
	}
	decodedSig, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil {
		return parsedToken{}, false
	}
	sig.Signature = decodedSig
	return parsedToken{sig: sig, payload: decodedPayload}, true
}

// add remembers the header of token, which go-jose parsed into p and whose
// signature verified. The stored signature keeps go-jose's parse of the
// header and drops this token's signature bytes.
func (c *headerCache) add(token string, p *parsedToken) {
	h, _, ok := strings.Cut(token, ".")
	if !ok {
		return
	}
	old := c.m.Load()
	if old != nil {
		if _, found := (*old)[h]; found {
			return
		}
	}
	next := make(map[string]jose.Signature, maxHeaderTemplates)
	if old != nil && len(*old) < maxHeaderTemplates {
		for k, s := range *old {
			next[k] = s
		}
	}
	sig := p.sig
	sig.Signature = nil
	next[strings.Clone(h)] = sig
	// A concurrent add may be lost; the header is added again by its next
	// full parse.
	c.m.CompareAndSwap(old, &next)
}

// len is the number of cached headers (tests).
func (c *headerCache) len() int {
	if m := c.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}

// classifyParseError explains why go-jose refused token: a header alg that
// is not allowed (none, HS256, …) is ErrAlgorithm; anything else is
// ErrMalformed.
func (v *Validator) classifyParseError(token string) error {
	encoded, _, ok := strings.Cut(token, ".")
	if !ok {
		return ErrMalformed
	}
	return v.classifyHeader(encoded)
}

// classifyHeader is classifyParseError of a token whose header segment is
// encoded.
func (v *Validator) classifyHeader(encoded string) error {
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return ErrMalformed
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(raw, &header) != nil || header.Alg == "" {
		return ErrMalformed
	}
	if !v.cfg.allowed[header.Alg] {
		return fmt.Errorf("%w: %q", ErrAlgorithm, header.Alg)
	}
	return ErrMalformed
}
