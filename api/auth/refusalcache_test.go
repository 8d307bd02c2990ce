package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// refusalSeeds are tokens whose refusals FuzzRefusalCache and
// TestRefusalsMatchFullParse compare: every way go-jose refuses a compact
// JWS, headers that parse and others that do not, and segments that do or do
// not decode.
func refusalSeeds(t testing.TB) []string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	unknown := sign(t, testKeys[1], "unknown", jose.RS256, claimsAt(fixedNow))
	h, rest, _ := strings.Cut(unknown, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	seeds := []string{
		unknown,
		sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow)),
		sign(t, testKeys[0], "k0", jose.PS256, claimsAt(fixedNow)),
		sign(t, testKeys[0], "", jose.RS256, claimsAt(fixedNow)),
		h + "." + payload + "." + sig[:len(sig)-1] + "=",
		h + "." + payload + "\n." + sig,
		h + "." + payload + "\r\n." + sig,
		h + "." + payload[:len(payload)-1] + "." + sig,
		h + "." + payload + "." + sig + ".",
		h + "." + payload,
		h + ".." + sig,
		h + "." + payload + ".",
		h + "." + "A." + sig,
		h + "." + "!!!." + sig,
		h,
		h + ".",
		h + "..",
		"garbage",
		"not.a.jwt",
		"eyJhbGciOiJSUzI1NiJ9.e30",
		"eyJhbGciOiJSUzI1NiJ9.!!!.???",
		"eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
		"eyJub3QiOiJqc29uIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
		strings.Repeat("A", 900) + "." + strings.Repeat("B", 900) + "." + strings.Repeat("C", 342),
		strings.Repeat("A", 2000) + ".e30.AAAA",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"a.b.c.d.e",
		".e30.AAAA",
		"..",
		".",
		enc([]byte(`{"alg":"HS256","kid":"k0"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"PS256","kid":"k0"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0","ALG":"none"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0","ALG":"none"}`)) + ".e30",
		enc([]byte(`{"alg":"RS256","alg":"HS256"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":7}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0","crit":["b64"],"b64":false}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0","nonce":"n"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0","jwk":{"kty":"oct","k":"AAAA"}}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0"} `)) + ".e30.AAAA",
		enc([]byte(`{"alg":"RS256","kid":"k0"}x`)) + ".e30.AAAA",
		enc([]byte(`[]`)) + ".e30.AAAA",
		enc([]byte(`null`)) + ".e30.AAAA",
		"eyJhbGciOiJSUzI1NiJ9=.e30.AAAA",
	}
	return seeds
}

// checkRefusal compares the refusal path's parse of token with go-jose's
// full parse: the same error (message and reason) or, when both parse, the
// same header, and no payload or signature from the refusal path.
func checkRefusal(t *testing.T, v *Validator, token string) {
	t.Helper()
	full, fullErr := v.parseTokenFull(token)
	for _, round := range []string{"first", "again"} {
		part, err := v.parseRefusal(token)
		if (err == nil) != (fullErr == nil) {
			t.Fatalf("%q (%s): refusal path error %v, go-jose's %v", token, round, err, fullErr)
		}
		if err != nil {
			if err.Error() != fullErr.Error() || Reason(err) != Reason(fullErr) {
				t.Fatalf("%q (%s): refusal path error %q (%s), go-jose's %q (%s)",
					token, round, err, Reason(err), fullErr, Reason(fullErr))
			}
			continue
		}
		if !reflect.DeepEqual(part.sig.Header, full.sig.Header) ||
			!reflect.DeepEqual(part.sig.Protected, full.sig.Protected) ||
			!reflect.DeepEqual(part.sig.Unprotected, full.sig.Unprotected) {
			t.Fatalf("%q (%s): headers differ: refusal path %+v, go-jose %+v", token, round, part.sig.Header, full.sig.Header)
		}
		if part.payload != nil || part.sig.Signature != nil {
			t.Fatalf("%q (%s): the refusal path returned a payload or signature", token, round)
		}
	}
}

func refusalValidator(t testing.TB) *Validator {
	t.Helper()
	v, _ := newServerValidator(t, Config{Now: func() time.Time { return fixedNow }, RefetchCooldown: time.Hour}, key0())
	load(t, v)
	return v
}

func TestRefusalsMatchFullParse(t *testing.T) {
	v := refusalValidator(t)
	for _, tok := range refusalSeeds(t) {
		checkRefusal(t, v, tok)
	}
	if v.refusals.len() == 0 {
		t.Fatal("no header verdict was cached")
	}
}

// FuzzRefusalCache is the differential test of the refusal path against
// go-jose's full parse (checkRefusal), with the verdict on the header both
// made for the token and taken from the cache.
func FuzzRefusalCache(f *testing.F) {
	v := refusalValidator(f)
	for _, tok := range refusalSeeds(f) {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token string) {
		checkRefusal(t, v, token)
	})
}

// FuzzDecodes checks decodes against base64.RawURLEncoding.DecodeString.
func FuzzDecodes(f *testing.F) {
	for _, s := range []string{"", "A", "AB", "ABC", "ABCD", "ABCDE", "AB\nCD", "A\r\n", "\n", "A\nB\nC\nD\nE",
		"AB==", "AB=", "ABC=", "+/", "-_", "AB CD", "\x00", "\xff", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAA\x80AAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := base64.RawURLEncoding.DecodeString(s)
		if got := decodes(s); got != (err == nil) {
			t.Fatalf("decodes(%q) = %v, DecodeString error %v", s, got, err)
		}
	})
}

// TestRefusalCacheNeverAccepts: a token whose header verdict was cached
// while its kid was unknown is parsed in full by go-jose once its key is
// published: the valid one is accepted (the refusal path has no payload or
// signature to verify), forged ones are refused.
func TestRefusalCacheNeverAccepts(t *testing.T) {
	v, idp := newServerValidator(t, Config{Now: func() time.Time { return fixedNow }, RefetchCooldown: time.Hour}, key0())
	load(t, v)
	ctx := t.Context()
	key1 := jwk{key: testKeys[1], kid: "k1", alg: "RS256"}
	tok := sign(t, key1.key, key1.kid, jose.RS256, claimsAt(fixedNow))
	header, _, _ := strings.Cut(tok, ".")
	for range 3 {
		if _, err := v.Validate(ctx, tok); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("before k1 is published: got %v, want %v", err, ErrUnknownKey)
		}
	}
	if e := v.refusals.get(header); e == nil || !e.parsed {
		t.Fatal("the unknown kid's header verdict is not cached")
	}
	if v.headers.len() != 0 {
		t.Fatalf("refusals added %d headers to the verified header cache", v.headers.len())
	}

	idp.setJWKS(serveKeys("", jwksBody(t, key0(), key1)))
	if err := v.refreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	dot := strings.LastIndexByte(tok, '.')
	forgedSig := tok[:dot+1] + strings.Repeat("A", len(tok)-dot-1)
	other := sign(t, testKeys[0], "k1", jose.RS256, claimsAt(fixedNow)) // k1's header, k0's signature
	if h, _, _ := strings.Cut(other, "."); h != header {
		t.Fatalf("test setup: headers differ: %q, %q", h, header)
	}
	for name, bad := range map[string]string{"forged signature": forgedSig, "signed by another key": other} {
		if _, err := v.Validate(ctx, bad); !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("%s with a cached header verdict: got %v, want %v", name, err, ErrInvalidSignature)
		}
	}
	c, err := v.Validate(ctx, tok)
	if err != nil {
		t.Fatalf("k1's token once k1 is published: %v", err)
	}
	if c.Token != tok || c.Subject != "U2user" {
		t.Fatalf("claims: got token %q, sub %q", c.Token, c.Subject)
	}
}

// TestRefusalCacheBounded: a flood of distinct headers keeps the refusal
// cache within its size, does not touch the verified header cache, and
// headers longer than maxRefusalHeader are not kept.
func TestRefusalCacheBounded(t *testing.T) {
	v := refusalValidator(t)
	ctx := t.Context()
	good := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
	if _, err := v.Validate(ctx, good); err != nil {
		t.Fatal(err)
	}
	const capacity = refusalSets * refusalWays
	for i := range 3 * capacity {
		tok := unsignedToken(map[string]any{"alg": "RS256", "kid": fmt.Sprint("unknown-", i)}, claimsAt(fixedNow), "AAAA")
		if _, err := v.Validate(ctx, tok); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("token %d: got %v, want %v", i, err, ErrUnknownKey)
		}
		if got := v.refusals.len(); got > capacity {
			t.Fatalf("after %d headers the refusal cache holds %d, want at most %d", i+1, got, capacity)
		}
	}
	if got := v.headers.len(); got != 1 {
		t.Fatalf("the verified header cache holds %d headers, want 1", got)
	}
	if _, ok := v.headers.parse(good); !ok {
		t.Fatal("the valid token's header left the verified header cache")
	}
	long := unsignedToken(map[string]any{"alg": "RS256", "kid": strings.Repeat("k", maxRefusalHeader)}, claimsAt(fixedNow), "AAAA")
	if _, err := v.Validate(ctx, long); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("long header: got %v, want %v", err, ErrUnknownKey)
	}
	h, _, _ := strings.Cut(long, ".")
	if v.refusals.get(h) != nil {
		t.Fatalf("a %d-character header was cached", len(h))
	}
}

// TestRefusalCacheConcurrent validates refused and valid tokens from
// several goroutines (run with -race: cached verdicts are shared).
func TestRefusalCacheConcurrent(t *testing.T) {
	v := refusalValidator(t)
	good := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
	enc := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		token string
		want  error
	}{
		{good, nil},
		{unsignedToken(map[string]any{"alg": "RS256", "kid": "gone"}, claimsAt(fixedNow), "AAAA"), ErrUnknownKey},
		{unsignedToken(map[string]any{"alg": "RS256"}, claimsAt(fixedNow), "AAAA"), ErrUnknownKey},
		{unsignedToken(map[string]any{"alg": "none", "kid": "k0"}, claimsAt(fixedNow), ""), ErrAlgorithm},
		{unsignedToken(map[string]any{"alg": "PS256", "kid": "k0"}, claimsAt(fixedNow), "AAAA"), ErrAlgorithm},
		{unsignedToken(map[string]any{"alg": "RS256", "kid": "gone"}, claimsAt(fixedNow), "A"), ErrMalformed},
		{enc([]byte(`{"not":"json"}`)) + ".e30.AAAA", ErrMalformed},
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 20 * len(cases) {
				tc := cases[(g+i)%len(cases)]
				_, err := v.Validate(t.Context(), tc.token)
				if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
					t.Errorf("%q: got %v, want %v", tc.token, err, tc.want)
					return
				}
			}
		})
	}
	wg.Wait()
}
