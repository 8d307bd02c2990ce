package security_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"

	. "github.com/onsi/ginkgo/v2"
)

// hostile is one input of the corpus: how to build the request, and what the
// API must answer (a reason string of error-detail mode, or a header outcome).
type hostile struct {
	build func(c *corpus) harness.Request
	want  string
}

// hostileInputs is the security corpus. Every entry gets a 401 (never a
// 500) with the contract's body; in error-detail mode a token failure names
// its reason.
var hostileInputs = []TableEntry{
	// Algorithms.
	Entry("alg none (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "alg_none"}))
	}, harness.ReasonAlgorithm}),
	Entry("alg None, capitalised, no signature", hostile{func(c *corpus) harness.Request {
		return bearer(seg(map[string]any{"alg": "None", "kid": c.kid}) + "." + seg(c.claims(nil)) + ".")
	}, harness.ReasonAlgorithm}),
	Entry("alg NONE with a garbage signature", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": "NONE", "kid": c.kid}, c.claims(nil)))
	}, harness.ReasonAlgorithm}),
	Entry("HS256 keyed with the public key (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "hs256_public_key"}))
	}, harness.ReasonAlgorithm}),
	Entry("HS512 with a guessed secret", hostile{func(c *corpus) harness.Request {
		return bearer(hs("HS512", rs256(c.kid), c.claims(nil), []byte("secret")))
	}, harness.ReasonAlgorithm}),
	Entry("HS256 keyed with the attacker's DER public key", hostile{func(c *corpus) harness.Request {
		der, _ := x509.MarshalPKIXPublicKey(&attackerKey().PublicKey)
		return bearer(hs("HS256", rs256(c.kid), c.claims(nil), der))
	}, harness.ReasonAlgorithm}),
	Entry("RS384 header over an RS256 signature", hostile{func(c *corpus) harness.Request {
		h, p, s := segments(c.valid)
		var hdr map[string]any
		raw, _ := base64.RawURLEncoding.DecodeString(h)
		_ = json.Unmarshal(raw, &hdr)
		hdr["alg"] = "RS384"
		return bearer(seg(hdr) + "." + p + "." + s)
	}, harness.ReasonAlgorithm}),
	Entry("PS256 header", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": "PS256", "kid": c.kid}, c.claims(nil)))
	}, harness.ReasonAlgorithm}),
	Entry("ES256 header", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": "ES256", "kid": c.kid}, c.claims(nil)))
	}, harness.ReasonAlgorithm}),
	Entry("no alg in the header", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"kid": c.kid, "typ": "JWT"}, c.claims(nil)))
	}, harness.ReasonMalformed}),
	Entry("alg as a number", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": 256, "kid": c.kid}, c.claims(nil)))
	}, harness.ReasonMalformed}),

	// Key IDs.
	Entry("kid with path traversal", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256("../../../../etc/passwd"), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid with SQL", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256("' OR '1'='1'; DROP TABLE keys; --"), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid as a URL", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256("https://attacker.example/jwks.json"), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid empty", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(""), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid absent", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": "RS256", "typ": "JWT"}, c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid of 300 characters", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(strings.Repeat("K", 300)), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("header of 4 KiB (a huge kid)", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(strings.Repeat("K", 4096)), c.claims(nil)))
	}, oneOf(harness.ReasonMalformed, harness.ReasonUnknownKey)}),
	Entry("crit header marking an unknown extension critical", hostile{func(c *corpus) harness.Request {
		h := rs256(c.kid)
		h["crit"] = []string{"exp"}
		h["exp"] = 1
		return bearer(c.signed(h, c.claims(nil)))
	}, oneOf(harness.ReasonMalformed, harness.ReasonSignature)}),
	Entry("b64 false (unencoded payload)", hostile{func(c *corpus) harness.Request {
		h := rs256(c.kid)
		h["b64"] = false
		h["crit"] = []string{"b64"}
		return bearer(forge(h, c.claims(nil)))
	}, oneOf(harness.ReasonMalformed, harness.ReasonSignature)}),
	Entry("kid with a NUL byte", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(c.kid+"\x00"), c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("kid as a number", hostile{func(c *corpus) harness.Request {
		return bearer(forge(map[string]any{"alg": "RS256", "kid": 1}, c.claims(nil)))
	}, harness.ReasonMalformed}),
	Entry("signed by an unpublished key (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "unpublished_key"}))
	}, harness.ReasonUnknownKey}),
	Entry("unknown kid (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "unknown_kid"}))
	}, harness.ReasonUnknownKey}),
	Entry("jku pointing at the attacker's key set", hostile{func(c *corpus) harness.Request {
		h := rs256("attacker-key")
		h["jku"] = "https://attacker.example/jwks.json"
		return bearer(forge(h, c.claims(nil)))
	}, harness.ReasonUnknownKey}),
	Entry("attacker key embedded as jwk (CVE-2018-0114)", hostile{func(c *corpus) harness.Request {
		k := attackerKey()
		h := rs256("attacker-key")
		h["jwk"] = map[string]any{"kty": "RSA", "kid": "attacker-key", "e": "AQAB",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes())}
		return bearer(harness.SignRS256(k, seg(h), seg(c.claims(nil))))
	}, harness.ReasonUnknownKey}),
	Entry("published kid, signed by the attacker's key", hostile{func(c *corpus) harness.Request {
		return bearer(harness.SignRS256(attackerKey(), seg(rs256(c.kid)), seg(c.claims(nil))))
	}, harness.ReasonSignature}),

	// Signatures.
	Entry("corrupted signature (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "bad_signature"}))
	}, harness.ReasonSignature}),
	Entry("tampered payload: roles escalated", hostile{func(c *corpus) harness.Request {
		h, _, s := segments(c.env.Token(harness.ReaderClient))
		return bearer(h + "." + seg(c.claims(map[string]any{"sub": "reader-client", "roles": []string{"admin"}})) + "." + s)
	}, harness.ReasonSignature}),
	Entry("tampered payload: exp extended", hostile{func(c *corpus) harness.Request {
		h, _, s := segments(c.valid)
		return bearer(h + "." + seg(c.claims(map[string]any{"exp": 4102444800})) + "." + s)
	}, harness.ReasonSignature}),
	Entry("tampered header: typ changed", hostile{func(c *corpus) harness.Request {
		_, p, s := segments(c.valid)
		return bearer(seg(map[string]any{"alg": "RS256", "kid": c.kid, "typ": "at+jwt"}) + "." + p + "." + s)
	}, harness.ReasonSignature}),
	Entry("signature stripped", hostile{func(c *corpus) harness.Request {
		h, p, _ := segments(c.valid)
		return bearer(h + "." + p + ".")
	}, harness.ReasonSignature}),
	Entry("signature truncated", hostile{func(c *corpus) harness.Request {
		return bearer(c.valid[:len(c.valid)-8])
	}, harness.ReasonSignature}),
	Entry("signature of another token", hostile{func(c *corpus) harness.Request {
		h, p, _ := segments(c.valid)
		_, _, s := segments(c.env.Token(harness.ReaderClient))
		return bearer(h + "." + p + "." + s)
	}, harness.ReasonSignature}),

	// Claims.
	Entry("wrong issuer (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "wrong_issuer"}))
	}, harness.ReasonIssuer}),
	Entry("issuer with a trailing slash", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Issuer: c.issuer + "/"}))
	}, harness.ReasonIssuer}),
	Entry("issuer in upper case", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Issuer: strings.ToUpper(c.issuer)}))
	}, harness.ReasonIssuer}),
	Entry("issuer of the inbound-apps form", hostile{func(c *corpus) harness.Request {
		apps := strings.TrimSuffix(c.issuer, "/"+harness.ProjectID) + "/v1/apps/" + harness.ProjectID
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Issuer: apps}))
	}, harness.ReasonIssuer}),
	Entry("issuer as a number", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"iss": 42}}))
	}, harness.ReasonMalformed}),
	Entry("wrong audience (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "wrong_audience"}))
	}, harness.ReasonAudience}),
	Entry("audience absent", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"aud": nil}}))
	}, harness.ReasonAudience}),
	Entry("audience an empty list", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"aud": []string{}}}))
	}, harness.ReasonAudience}),
	Entry("audience extending the project ID", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"aud": harness.ProjectID + "X"}}))
	}, harness.ReasonAudience}),
	Entry("audience as a number", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"aud": 7}}))
	}, harness.ReasonMalformed}),
	Entry("exp as a string", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"exp": "tomorrow"}}))
	}, harness.ReasonMalformed}),
	Entry("exp beyond any date (1e300)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"exp": 1e300}}))
	}, harness.ReasonMalformed}),
	Entry("sub as an object", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"sub": map[string]any{"$ne": ""}}}))
	}, harness.ReasonMalformed}),
	Entry("expired (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "expired"}))
	}, harness.ReasonExpired}),
	Entry("not yet valid (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "not_yet_valid"}))
	}, harness.ReasonNotYetValid}),
	Entry("no exp (mock preset)", hostile{func(c *corpus) harness.Request {
		return bearer(c.mint(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "missing_exp"}))
	}, harness.ReasonMissingExp}),

	// Encoding and structure.
	Entry("not a JWT", hostile{func(c *corpus) harness.Request { return bearer("invalid.jwt.token") }, harness.ReasonMalformed}),
	Entry("one segment", hostile{func(c *corpus) harness.Request { return bearer("abcdef") }, harness.ReasonMalformed}),
	Entry("two segments", hostile{func(c *corpus) harness.Request {
		h, p, _ := segments(c.valid)
		return bearer(h + "." + p)
	}, harness.ReasonMalformed}),
	Entry("four segments", hostile{func(c *corpus) harness.Request { return bearer(c.valid + ".x") }, harness.ReasonMalformed}),
	Entry("five segments, JWE-shaped", hostile{func(c *corpus) harness.Request {
		return bearer(seg(map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM", "kid": c.kid}) + ".a.b.c.d")
	}, oneOf(harness.ReasonMalformed, harness.ReasonAlgorithm)}),
	Entry("empty segments", hostile{func(c *corpus) harness.Request { return bearer("..") }, harness.ReasonMalformed}),
	Entry("header not base64url", hostile{func(c *corpus) harness.Request {
		_, p, s := segments(c.valid)
		return bearer("!!!$$$." + p + "." + s)
	}, harness.ReasonMalformed}),
	Entry("payload not base64url", hostile{func(c *corpus) harness.Request {
		h, _, s := segments(c.valid)
		return bearer(h + ".%%%***." + s)
	}, harness.ReasonMalformed}),
	Entry("padded base64 payload", hostile{func(c *corpus) harness.Request {
		h, p, s := segments(c.valid)
		return bearer(h + "." + p + "==." + s)
	}, harness.ReasonMalformed}),
	Entry("standard base64 alphabet in the signature", hostile{func(c *corpus) harness.Request {
		h, p, s := segments(c.valid)
		return bearer(h + "." + p + "." + strings.NewReplacer("-", "+", "_", "/").Replace(s) + "+/")
	}, harness.ReasonMalformed}),
	Entry("header not JSON", hostile{func(c *corpus) harness.Request {
		return bearer(forge(harness.Segment("alg=RS256;kid="+c.kid), c.claims(nil)))
	}, harness.ReasonMalformed}),
	Entry("header a JSON array", hostile{func(c *corpus) harness.Request {
		return bearer(forge(harness.Segment(`["RS256"]`), c.claims(nil)))
	}, harness.ReasonMalformed}),
	Entry("payload not JSON, validly signed", hostile{func(c *corpus) harness.Request {
		return bearer(c.signed(rs256(c.kid), harness.Segment("sub=admin-client")))
	}, harness.ReasonMalformed}),
	Entry("payload a JSON array, validly signed", hostile{func(c *corpus) harness.Request {
		return bearer(c.signed(rs256(c.kid), harness.Segment(`[{"sub":"admin-client"}]`)))
	}, harness.ReasonMalformed}),
	Entry("payload null, validly signed", hostile{func(c *corpus) harness.Request {
		return bearer(c.signed(rs256(c.kid), harness.Segment(`null`)))
	}, harness.ReasonMalformed}),
	Entry("payload with two JSON objects, validly signed", hostile{func(c *corpus) harness.Request {
		b, _ := json.Marshal(c.claims(nil))
		return bearer(c.signed(rs256(c.kid), harness.Segment(string(b)+`{"roles":["admin"]}`)))
	}, harness.ReasonMalformed}),
	Entry("deeply nested JSON in the header", hostile{func(c *corpus) harness.Request {
		return bearer(forge(harness.Segment(`{"alg":"RS256","kid":"`+c.kid+`","x":`+nested(5000)+`}`), c.claims(nil)))
	}, oneOf(harness.ReasonMalformed, harness.ReasonSignature)}),
	Entry("deeply nested JSON in the payload", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(c.kid), harness.Segment(`{"x":`+nested(5000)+`}`)))
	}, harness.ReasonSignature}),
	Entry("deeply nested JSON in a validly signed payload without exp", hostile{func(c *corpus) harness.Request {
		claims, _ := json.Marshal(c.claims(map[string]any{"exp": nil}))
		deep := strings.TrimSuffix(string(claims), "}") + `,"x":` + nested(4000) + `}`
		return bearer(c.signed(rs256(c.kid), harness.Segment(deep)))
	}, harness.ReasonMissingExp}),
	Entry("oversized token (20 KiB)", hostile{func(c *corpus) harness.Request {
		return bearer(forge(rs256(c.kid), c.claims(map[string]any{"pad": strings.Repeat("A", 20<<10)})))
	}, harness.ReasonMalformed}),
	Entry("oversized, validly signed token (40 KiB)", hostile{func(c *corpus) harness.Request {
		return bearer(c.signed(rs256(c.kid), c.claims(map[string]any{"pad": strings.Repeat("A", 30<<10)})))
	}, harness.ReasonMalformed}),
	Entry("non-ASCII token", hostile{func(c *corpus) harness.Request { return bearer("☃.☃.☃") }, harness.ReasonMalformed}),
	Entry("JWS JSON serialisation", hostile{func(c *corpus) harness.Request {
		h, p, s := segments(c.valid)
		b, _ := json.Marshal(map[string]any{"payload": p, "signatures": []any{map[string]any{"protected": h, "signature": s}}})
		return bearer(string(b))
	}, harness.ReasonMalformed}),

	// The Authorization header itself.
	Entry("no Authorization header; token in the query string", hostile{func(c *corpus) harness.Request {
		return harness.Request{Path: "/api/me?access_token=" + c.valid}
	}, wantMissingHeader}),
	Entry("no Authorization header; token in a cookie", hostile{func(c *corpus) harness.Request {
		return harness.Request{Header: map[string][]string{"Cookie": {"access_token=" + c.valid}}}
	}, wantMissingHeader}),
	Entry("no Authorization header; token in X-Access-Token", hostile{func(c *corpus) harness.Request {
		return harness.Request{Header: map[string][]string{"X-Access-Token": {c.valid}}}
	}, wantMissingHeader}),
	Entry("empty Authorization header", hostile{func(c *corpus) harness.Request { return header("") }, wantMissingHeader}),
	Entry("whitespace-only Authorization header", hostile{func(c *corpus) harness.Request { return header(" \t ") }, wantMissingHeader}),
	Entry("Authorization header duplicated", hostile{func(c *corpus) harness.Request {
		return header("Bearer "+c.valid, "Bearer "+c.valid)
	}, wantInvalidHeader}),
	Entry("two Authorization headers, a valid one second", hostile{func(c *corpus) harness.Request {
		return header("Bearer garbage", "Bearer "+c.valid)
	}, wantInvalidHeader}),
	Entry("two tokens in one header", hostile{func(c *corpus) harness.Request {
		return header("Bearer " + c.valid + ", Bearer " + c.valid)
	}, wantInvalidHeader}),
	Entry("text after the token", hostile{func(c *corpus) harness.Request { return header("Bearer " + c.valid + " admin") }, wantInvalidHeader}),
	Entry("Basic scheme", hostile{func(c *corpus) harness.Request { return header("Basic YWRtaW46YWRtaW4=") }, wantInvalidHeader}),
	Entry("Token scheme with a valid token", hostile{func(c *corpus) harness.Request { return header("Token " + c.valid) }, wantInvalidHeader}),
	Entry("scheme glued to the token", hostile{func(c *corpus) harness.Request { return header("Bearer" + c.valid) }, wantInvalidHeader}),
	Entry("scheme only", hostile{func(c *corpus) harness.Request { return header("Bearer") }, wantInvalidHeader}),
	Entry("lower-case scheme with a forged token", hostile{func(c *corpus) harness.Request {
		return header("bearer " + forge(rs256(c.kid), c.claims(nil)))
	}, harness.ReasonSignature}),
	Entry("extra whitespace around a forged token", hostile{func(c *corpus) harness.Request {
		return header("  Bearer \t  " + forge(rs256(c.kid), c.claims(nil)) + "   ")
	}, harness.ReasonSignature}),
}
