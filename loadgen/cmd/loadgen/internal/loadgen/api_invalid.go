package loadgen

// api-invalid-garbage and api-invalid-kid: refused tokens against the bare
// handler, and the key-set fetches they cause, counted by the mock.

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
	"strings"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// invalidTokens makes the tokens of an invalid-token scenario and names them.
type invalidTokens func(ctx context.Context, env Env) (name string, tokens []string, err error)

// garbageTokens are bearer values the API refuses before any key lookup.
func garbageTokens(context.Context, Env) (string, []string, error) {
	return "garbage tokens", []string{
		"garbage",
		"not.a.jwt",
		"eyJhbGciOiJSUzI1NiJ9.e30",
		"eyJhbGciOiJSUzI1NiJ9.!!!.???",
		"eyJub3QiOiJqc29uIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
		strings.Repeat("A", 900) + "." + strings.Repeat("B", 900) + "." + strings.Repeat("C", 342),
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"a.b.c.d.e",
	}, nil
}

// UnknownKidCount is how many distinct unknown kids api-invalid-kid cycles.
const UnknownKidCount = 64

// unknownKidTokens are RS256 tokens with the mock's issuer and audience and
// a valid lifetime, signed by fixtures key test-16 (never the mock's current
// key) under kids that are never in the mock's key set.
func unknownKidTokens(ctx context.Context, env Env) (string, []string, error) {
	doc, err := mockDiscovery(ctx, env)
	if err != nil {
		return "", nil, err
	}
	all := fixtures.PrivateKeys()
	key := all[len(all)-1]
	now := time.Now()
	tokens := make([]string, UnknownKidCount)
	for i := range tokens {
		claims := map[string]any{"iss": doc.Issuer, "aud": []string{env.ProjectID}, "sub": "loadgen-unknown-kid",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if tokens[i], err = SignRS256(key, fmt.Sprintf("loadgen-unknown-%02d", i), claims); err != nil {
			return "", nil, err
		}
	}
	return fmt.Sprintf("RS256 tokens, %d unknown kids", UnknownKidCount), tokens, nil
}

// SignRS256 makes a compact JWS of claims with kid, signed by key.
func SignRS256(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// FetchAllowance is the most key-set fetches a refetch cooldown permits in a
// window: one at its very start, then one per full cooldown.
func FetchAllowance(window, cooldown time.Duration) int {
	if cooldown <= 0 {
		return 0
	}
	return int(window/cooldown) + 1
}

// MockJWKSCount is how many key-set requests the mock at env has counted
// (GET /_mock/requests).
func MockJWKSCount(ctx context.Context, env Env) (int, error) {
	raw, err := fetch(ctx, env.Client, env.MockURL+"/_mock/requests")
	if err != nil {
		return 0, fmt.Errorf("the mock's request counters: %w", err)
	}
	var st mockidp.RequestStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return 0, fmt.Errorf("the mock's request counters: %w", err)
	}
	return st.Counts[mockidp.EndpointJWKS], nil
}

func prepareAPIInvalid(tokensOf invalidTokens) func(context.Context, Env) (Plan, error) {
	return func(ctx context.Context, env Env) (Plan, error) {
		p, base, err := StartAPIChild(ctx, env, map[string]string{"JWKS_REFETCH_COOLDOWN": ChildRefetchCooldown.String()})
		if err != nil {
			return Plan{}, err
		}
		fail := func(err error) (Plan, error) { p.Stop(); return Plan{}, err }
		name, tokens, err := tokensOf(ctx, env)
		if err != nil {
			return fail(err)
		}
		op := bearerOp(env.Client, base+"/api/me", tokens, http.StatusUnauthorized)
		if err := op(ctx); err != nil {
			return fail(fmt.Errorf("first invalid token: %w", err))
		}
		baseline, stopBare, err := bareMe(ctx, env, base, tokens)
		if err != nil {
			return fail(err)
		}
		window := func() (func(Result) ([]Note, error), error) {
			before, err := MockJWKSCount(ctx, env)
			if err != nil {
				return nil, err
			}
			begin := time.Now()
			return func(Result) ([]Note, error) {
				after, err := MockJWKSCount(ctx, env)
				if err != nil {
					return nil, err
				}
				return []Note{FetchNote(after-before, time.Since(begin), ChildRefetchCooldown)}, nil
			}, nil
		}
		return Plan{
			Target:   Load{Name: "GET /api/me (bin/api, " + name + ", 401)", Workers: env.Workers, Op: op, CPU: p.CPU},
			Baseline: baseline,
			Close:    func() { stopBare(); p.Stop() },
			Window:   window,
			Procs:    []*Proc{p},
		}, nil
	}
}

// FetchNote reports the key-set fetches seen in a window against what the
// cooldown allows.
func FetchNote(fetches int, window, cooldown time.Duration) Note {
	allowed := FetchAllowance(window, cooldown)
	return Note{
		Text: fmt.Sprintf("key-set fetches counted by the mock: %d in %.2fs (cooldown %v allows <= %d)",
			fetches, window.Seconds(), cooldown, allowed),
		Missed: fetches > allowed,
	}
}
