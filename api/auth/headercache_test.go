package auth

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// headerCacheValidator returns a validator serving k0 (testKeys[0]) and k1
// (testKeys[1]), and one valid token for each.
func headerCacheValidator(t testing.TB, cfg Config) (*Validator, []string) {
	t.Helper()
	v, _ := newServerValidator(t, cfg, jwk{key: testKeys[0], kid: "k0", alg: "RS256"}, jwk{key: testKeys[1], kid: "k1", alg: "RS256"})
	load(t, v)
	return v, []string{
		sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow)),
		sign(t, testKeys[1], "k1", jose.RS256, with(claimsAt(fixedNow), map[string]any{"sub": "U2other"})),
	}
}

func TestHeaderCacheHoldsOnlyVerifiedHeaders(t *testing.T) {
	v, toks := headerCacheValidator(t, Config{Now: func() time.Time { return fixedNow }})
	ctx := t.Context()
	dot := strings.LastIndexByte(toks[0], '.')
	forged := toks[0][:dot+1] + strings.Repeat("A", len(toks[0])-dot-1)
	if _, err := v.Validate(ctx, forged); err == nil {
		t.Fatal("a token with a forged signature was accepted")
	}
	if got := v.headers.len(); got != 0 {
		t.Fatalf("after a bad signature the header cache holds %d headers, want 0", got)
	}
	if _, err := v.Validate(ctx, toks[0]); err != nil {
		t.Fatal(err)
	}
	if got := v.headers.len(); got != 1 {
		t.Fatalf("after one valid token the header cache holds %d headers, want 1", got)
	}
	// Same header, cached now: the forged signature is still refused.
	if _, ok := v.headers.parse(forged); !ok {
		t.Fatal("the forged token's header is cached, but the cached parse was not used")
	}
	if _, err := v.Validate(ctx, forged); err == nil {
		t.Fatal("a token with a forged signature was accepted with a cached header")
	}
}

func TestHeaderCacheIsBounded(t *testing.T) {
	v, toks := headerCacheValidator(t, Config{})
	p, err := v.parseTokenFull(toks[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * maxHeaderTemplates {
		v.headers.add(strings.Repeat("h", i+1)+".p.s", &p)
		if got := v.headers.len(); got > maxHeaderTemplates {
			t.Fatalf("after %d headers the cache holds %d, want at most %d", i+1, got, maxHeaderTemplates)
		}
	}
	// The newest header is always kept.
	if _, ok := v.headers.parse(strings.Repeat("h", 3*maxHeaderTemplates) + "." + strings.SplitN(toks[0], ".", 2)[1]); !ok {
		t.Fatal("the newest header is not cached")
	}
}

// TestHeaderCacheConcurrent validates new tokens with cached headers from
// several goroutines (run with -race: the cached parse is shared).
func TestHeaderCacheConcurrent(t *testing.T) {
	v, _ := headerCacheValidator(t, Config{Now: func() time.Time { return fixedNow }, VerifiedCacheSize: 2})
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = sign(t, testKeys[i%2], []string{"k0", "k1"}[i%2], jose.RS256,
			with(claimsAt(fixedNow), map[string]any{"sub": strings.Repeat("u", i+1)}))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2 * len(toks) {
				tok := toks[(g+i)%len(toks)]
				c, err := v.Validate(t.Context(), tok)
				if err != nil {
					t.Error(err)
					return
				}
				if c.Token != tok {
					t.Errorf("claims of another token returned")
				}
			}
		})
	}
	wg.Wait()
	if got := v.headers.len(); got != 2 {
		t.Errorf("header cache holds %d headers, want 2", got)
	}
}

// FuzzHeaderCache is the differential test of the cached-header parse
// against go-jose's full parse: for any token, when the cached parse
// answers, go-jose's parse succeeds too and gives the same header, payload
// and signature, and verification with each key gives the same result; and
// the cached parse answers for every token with a cached header that go-jose
// parses.
func FuzzHeaderCache(f *testing.F) {
	v, toks := headerCacheValidator(f, Config{})
	for _, tok := range toks {
		p, err := v.parseTokenFull(tok)
		if err != nil {
			f.Fatal(err)
		}
		v.headers.add(tok, &p)
	}
	keys := []any{&testKeys[0].PublicKey, &testKeys[1].PublicKey}
	for _, tok := range toks {
		h, rest, _ := strings.Cut(tok, ".")
		payload, sig, _ := strings.Cut(rest, ".")
		f.Add(h, rest)
		f.Add(h, payload+"."+sig[:len(sig)-1]+"B")
		f.Add(h, payload[:len(payload)-1]+"."+sig)
		f.Add(h, payload+"\n."+sig)
		f.Add(h, payload+"."+sig+"=")
		f.Add(h, payload+"."+sig+".")
		f.Add(h, payload+".."+sig)
		f.Add(h, "."+sig)
		f.Add(h, payload+".")
		f.Add(h, payload)
		f.Add(h+"A", rest)
		f.Add(h[:len(h)-1], rest)
	}
	other := strings.SplitN(toks[1], ".", 2)[1]
	f.Add(strings.SplitN(toks[0], ".", 2)[0], other)
	f.Add(`eyJhbGciOiJub25lIn0`, other)
	f.Fuzz(func(t *testing.T, header, rest string) {
		token := header + "." + rest
		fast, fastOK := v.headers.parse(token)
		full, fullErr := v.parseTokenFull(token)
		cached := false
		if m := v.headers.m.Load(); m != nil {
			_, cached = (*m)[header]
		}
		if cached && fullErr == nil && !fastOK {
			t.Fatalf("%q: go-jose parses it and its header is cached, but the cached parse refused it", token)
		}
		if !fastOK {
			return
		}
		if fullErr != nil {
			t.Fatalf("%q: the cached parse accepted what go-jose refuses (%v)", token, fullErr)
		}
		if !reflect.DeepEqual(fast.sig.Header, full.sig.Header) ||
			!reflect.DeepEqual(fast.sig.Protected, full.sig.Protected) ||
			!reflect.DeepEqual(fast.sig.Unprotected, full.sig.Unprotected) {
			t.Fatalf("%q: headers differ: cached %+v, go-jose %+v", token, fast.sig.Header, full.sig.Header)
		}
		if !bytes.Equal(fast.sig.Signature, full.sig.Signature) || !bytes.Equal(fast.payload, full.payload) {
			t.Fatalf("%q: payload or signature differ", token)
		}
		for i, key := range keys {
			fastPayload, fastErr := fast.verify(key)
			fullPayload, fullErr := full.verify(key)
			if (fastErr == nil) != (fullErr == nil) || !bytes.Equal(fastPayload, fullPayload) {
				t.Fatalf("%q, key %d: cached parse verifies %v, go-jose's %v", token, i, fastErr, fullErr)
			}
		}
	})
}
