package loadgen

// api-me-distinct: a new valid token every request, against one core's RS256
// verifications per CPU-second (VerifyBaseline).

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/errgroup"
)

func prepareAPIMeDistinct(ctx context.Context, env Env) (Plan, error) {
	p, base, err := StartAPIChild(ctx, env, map[string]string{"VERIFIED_CACHE_SIZE": strconv.Itoa(DistinctCacheSize)})
	if err != nil {
		return Plan{}, err
	}
	fail := func(err error) (Plan, error) { p.Stop(); return Plan{}, err }
	tokens, err := MintPool(ctx, env, distinctPoolSize)
	if err != nil {
		return fail(err)
	}
	if _, err := meBody(ctx, env.Client, base, tokens[0]); err != nil {
		return fail(fmt.Errorf("a minted token: %w", err))
	}
	verify, err := VerifyBaseline(ctx, env, tokens[0])
	if err != nil {
		return fail(err)
	}
	return Plan{
		Target: Load{Name: fmt.Sprintf("GET /api/me (bin/api, %d distinct tokens)", len(tokens)), Workers: env.Workers,
			Op: bearerOp(env.Client, base+"/api/me", tokens, http.StatusOK), CPU: p.CPU},
		Baseline: verify,
		Close:    p.Stop,
		Procs:    []*Proc{p},
	}, nil
}

// MintPool mints n distinct valid tokens for env's client through the
// mock's control plane (POST /_mock/tokens, a distinct claim each, so each
// is signed), GOMAXPROCS requests at a time.
func MintPool(ctx context.Context, env Env, n int) ([]string, error) {
	tokens := make([]string, n)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(2, env.Workers))
	for i := range tokens {
		g.Go(func() error {
			body, _ := json.Marshal(mockidp.MintRequest{ClientID: env.ClientID, Claims: map[string]any{"loadgen_n": i}})
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.MockURL+"/_mock/tokens", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := env.Client.Do(req)
			if err != nil {
				return fmt.Errorf("minting: %w", err)
			}
			defer resp.Body.Close()
			var out mockidp.MintResponse
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
				return fmt.Errorf("minting: status %d, %v", resp.StatusCode, err)
			}
			tokens[i] = out.Token
			return nil
		})
	}
	return tokens, g.Wait()
}

// VerifyBaseline is SHA-256 + rsa.VerifyPKCS1v15 of token's signature with
// the mock's published key, in a loop on one goroutine, with this process's
// CPU time: one core's RS256 verifications per CPU-second.
func VerifyBaseline(ctx context.Context, env Env, token string) (Load, error) {
	input, sig, kid, err := splitRS256(token)
	if err != nil {
		return Load{}, err
	}
	pub, err := mockKey(ctx, env, kid)
	if err != nil {
		return Load{}, err
	}
	sum := sha256.Sum256(input)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return Load{}, fmt.Errorf("the mock's token does not verify with its published key %q: %w", kid, err)
	}
	return Load{
		Name:    "RS256 verifications (sha256 + rsa.VerifyPKCS1v15, 1 goroutine)",
		Workers: 1,
		Op: func(context.Context) error {
			sum := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
		},
		CPU: func() (time.Duration, error) { return ProcessCPU(0) },
	}, nil
}

// splitRS256 returns a compact JWS's signing input, signature and kid.
func splitRS256(token string) (input, sig []byte, kid string, err error) {
	dot := strings.LastIndexByte(token, '.')
	first := strings.IndexByte(token, '.')
	if first < 0 || dot == first {
		return nil, nil, "", errors.New("token: not a compact JWS")
	}
	if sig, err = base64.RawURLEncoding.DecodeString(token[dot+1:]); err != nil {
		return nil, nil, "", fmt.Errorf("token signature: %w", err)
	}
	hb, err := base64.RawURLEncoding.DecodeString(token[:first])
	if err != nil {
		return nil, nil, "", fmt.Errorf("token header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &h); err != nil || h.Alg != "RS256" {
		return nil, nil, "", fmt.Errorf("token header %s: want RS256 (%v)", hb, err)
	}
	return []byte(token[:dot]), sig, h.Kid, nil
}

// mockKey fetches the mock's key set (the discovery document's jwks_uri)
// and returns the RSA key kid.
func mockKey(ctx context.Context, env Env, kid string) (*rsa.PublicKey, error) {
	doc, err := mockDiscovery(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := fetch(ctx, env.Client, doc.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", doc.JWKSURI, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("the mock's key set: %w", err)
	}
	for _, k := range set.Key(kid) {
		if pub, ok := k.Key.(*rsa.PublicKey); ok {
			return pub, nil
		}
	}
	return nil, fmt.Errorf("the mock's key set has no RSA key %q", kid)
}

type discoveryDoc struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

func mockDiscovery(ctx context.Context, env Env) (discoveryDoc, error) {
	raw, err := fetch(ctx, env.Client, discoveryURL(env))
	if err != nil {
		return discoveryDoc{}, fmt.Errorf("discovery: %w", err)
	}
	var doc discoveryDoc
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Issuer == "" || doc.JWKSURI == "" {
		return discoveryDoc{}, fmt.Errorf("discovery document: %v (issuer %q, jwks_uri %q)", err, doc.Issuer, doc.JWKSURI)
	}
	return doc, nil
}
