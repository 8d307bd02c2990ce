package peerbench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/auth0/go-jwt-middleware/v3/jwks"
	auth0 "github.com/auth0/go-jwt-middleware/v3/validator"
	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	jwtv5 "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/jwttest"
)

const (
	audience = "P2bench"
	kid      = "k0"
	// distinct is how many different tokens a row cycles through.
	distinct = 512
	// batch is how many valid tokens one library checks in one turn;
	// refusals are far cheaper, so their turns are refusalBatch tokens long
	// (a turn of about a millisecond or more for every library).
	batch        = 128
	refusalBatch = 1024
)

// provider serves a discovery document and the key set (one RS256 key) on
// a loopback server; issuer is its URL with a trailing slash.
type provider struct {
	issuer, discoveryURL, jwksURL string
	key                           *rsa.PrivateKey
}

func startProvider(b *testing.B) *provider {
	key := fixtures.PrivateKeys()[0]
	set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		b.Fatal(err)
	}
	p := &provider{key: key}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, p.issuer, p.jwksURL)
		case "/keys":
			w.Header().Set("Cache-Control", "max-age=3600")
			_, _ = w.Write(set)
		default:
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	p.issuer, p.discoveryURL, p.jwksURL = srv.URL+"/", srv.URL+"/.well-known/openid-configuration", srv.URL+"/keys"
	return p
}

// tokens are n valid RS256 tokens, each with a different sub.
func (p *provider) tokens(n int) []string {
	now := time.Now()
	out := make([]string, n)
	for i := range out {
		out[i] = jwttest.Sign(p.key, kid, map[string]any{
			"iss": p.issuer, "aud": []string{audience}, "sub": fmt.Sprintf("U%06d", i),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "roles": []string{"admin"}, "scope": "openid",
		})
	}
	return out
}

// check is one library's validation of a token: signature, iss, aud, exp.
type check func(ctx context.Context, token string) error

type library struct {
	name  string
	check check
}

// ours is api/auth with its verified-token cache off or on.
func ours(b *testing.B, p *provider, cache bool) check {
	size := -1
	if cache {
		size = 0 // the default
	}
	v, err := auth.New(auth.Config{DiscoveryURL: p.discoveryURL, Audience: audience, VerifiedCacheSize: size})
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, token string) error { _, err := v.Validate(ctx, token); return err }
}

func peers(b *testing.B, p *provider) []library {
	ctx := b.Context()
	oidcVerifier := oidc.NewVerifier(p.issuer, oidc.NewRemoteKeySet(ctx, p.jwksURL),
		&oidc.Config{ClientID: audience, SupportedSigningAlgs: []string{"RS256"}})

	jwxSet, err := jwk.Fetch(ctx, p.jwksURL)
	if err != nil {
		b.Fatal(err)
	}

	kf, err := keyfunc.NewDefaultCtx(ctx, []string{p.jwksURL})
	if err != nil {
		b.Fatal(err)
	}
	golangJWT := jwtv5.NewParser(jwtv5.WithIssuer(p.issuer), jwtv5.WithAudience(audience),
		jwtv5.WithExpirationRequired(), jwtv5.WithValidMethods([]string{"RS256"}))

	issuerURL, _ := url.Parse(p.issuer)
	jwksURL, _ := url.Parse(p.jwksURL)
	auth0Keys, err := jwks.NewCachingProvider(jwks.WithIssuerURL(issuerURL), jwks.WithCustomJWKSURI(jwksURL))
	if err != nil {
		b.Fatal(err)
	}
	auth0Validator, err := auth0.New(auth0.WithKeyFunc(auth0Keys.KeyFunc), auth0.WithAlgorithm(auth0.RS256),
		auth0.WithIssuer(p.issuer), auth0.WithAudience(audience))
	if err != nil {
		b.Fatal(err)
	}

	return []library{
		{"go-oidc", func(ctx context.Context, token string) error { _, err := oidcVerifier.Verify(ctx, token); return err }},
		{"jwx", func(_ context.Context, token string) error {
			_, err := jwxjwt.Parse([]byte(token), jwxjwt.WithKeySet(jwxSet), jwxjwt.WithIssuer(p.issuer), jwxjwt.WithAudience(audience))
			return err
		}},
		{"keyfunc+golang-jwt", func(_ context.Context, token string) error {
			_, err := golangJWT.Parse(token, kf.Keyfunc)
			return err
		}},
		{"auth0", func(ctx context.Context, token string) error {
			_, err := auth0Validator.ValidateToken(ctx, token)
			return err
		}},
	}
}

// limit is the physical limit: one rsa.VerifyPKCS1v15 over the SHA-256 of
// the signing input per token (the signature decoded beforehand), and
// nothing else checked.
func limit(b *testing.B, p *provider, tokens []string) check {
	sigs := make(map[string][]byte, len(tokens))
	for _, t := range tokens {
		sig, err := base64.RawURLEncoding.DecodeString(t[strings.LastIndexByte(t, '.')+1:])
		if err != nil {
			b.Fatal(err)
		}
		sigs[t] = sig
	}
	pub := &p.key.PublicKey
	return func(_ context.Context, token string) error {
		sum := sha256.Sum256([]byte(token[:strings.LastIndexByte(token, '.')]))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sigs[token])
	}
}

// compare runs the libraries in alternating turns, batch (or
// refusalBatch) tokens each per turn, one turn per b.Loop iteration, and reports each one's median
// tokens per second over the turns (as <name>_tokens/s) and its ratio to
// api/auth's. wantOK says whether the tokens must be accepted or refused.
func compare(b *testing.B, tokens []string, wantOK bool, libs []library) {
	batch := batch
	if !wantOK {
		batch = refusalBatch
	}
	ctx := b.Context()
	for _, l := range libs { // warm up: keys loaded, and every library answers as it should
		if err := l.check(ctx, tokens[0]); (err == nil) != wantOK {
			b.Fatalf("%s: got error %v, want ok=%v", l.name, err, wantOK)
		}
	}
	rates := make([][]float64, len(libs))
	next := 0
	for b.Loop() {
		for i, l := range libs {
			start := time.Now()
			for j := range batch {
				if err := l.check(ctx, tokens[(next+j)%len(tokens)]); (err == nil) != wantOK {
					b.Fatalf("%s: got error %v, want ok=%v", l.name, err, wantOK)
				}
			}
			rates[i] = append(rates[i], float64(batch)/time.Since(start).Seconds())
		}
		next += batch
	}
	medians := make([]float64, len(libs))
	for i := range libs {
		slices.Sort(rates[i])
		medians[i] = rates[i][len(rates[i])/2]
		b.ReportMetric(medians[i], libs[i].name+"_tokens/s")
	}
	for i := 1; i < len(libs); i++ {
		b.ReportMetric(medians[0]/medians[i], "ratio_to_"+libs[i].name)
	}
}

// unknownKid are tokens signed by the key but naming kids the key set does
// not have, each a different one.
func unknownKid(p *provider, n int) []string {
	now := time.Now()
	out := make([]string, n)
	for i := range out {
		header := jwttest.Segment(map[string]string{"alg": "RS256", "kid": fmt.Sprintf("unknown-%d", i), "typ": "JWT"})
		payload := jwttest.Segment(map[string]any{"iss": p.issuer, "aud": audience, "exp": now.Add(time.Hour).Unix()})
		sig := make([]byte, 256)
		_, _ = rand.Read(sig)
		out[i] = header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	return out
}

// garbage are strings that are no JWT at all.
func garbage(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 48)
		_, _ = rand.Read(b)
		out[i] = base64.RawURLEncoding.EncodeToString(b)
	}
	return out
}

// BenchmarkPeers is issue 13's performance table, each row one
// sub-benchmark. Read the _tokens/s metrics and the ratios; ns/op is one
// turn of every library and means nothing on its own.
func BenchmarkPeers(b *testing.B) {
	p := startProvider(b)
	valid := p.tokens(distinct)
	b.Run("distinct-cache-off", func(b *testing.B) {
		libs := append([]library{{"api-auth", ours(b, p, false)}}, peers(b, p)...)
		compare(b, valid, true, append(libs, library{"limit", limit(b, p, valid)}))
	})
	b.Run("repeated-cache-on", func(b *testing.B) {
		compare(b, valid[:1], true, append([]library{{"api-auth", ours(b, p, true)}}, peers(b, p)...))
	})
	b.Run("unknown-kid", func(b *testing.B) {
		compare(b, unknownKid(p, 4096), false, append([]library{{"api-auth", ours(b, p, true)}}, peers(b, p)...))
	})
	b.Run("garbage", func(b *testing.B) {
		compare(b, garbage(4096), false, append([]library{{"api-auth", ours(b, p, true)}}, peers(b, p)...))
	})
}
