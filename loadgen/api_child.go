package loadgen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/errgroup"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// distinctPoolSize is DistinctPoolSize and childIdle the quiet time before
// a child's idle RSS is read; both are smaller in this package's quick tests.
var (
	distinctPoolSize = DistinctPoolSize
	childIdle        = time.Second
)

// Settings of the scenarios that run bin/api as a child process.
const (
	// DistinctPoolSize tokens are minted before api-me-distinct and sent
	// round-robin; DistinctCacheSize is the API's VERIFIED_CACHE_SIZE there.
	// A token comes back only after DistinctPoolSize-1 others, each a miss
	// that inserts into a cache of at most DistinctCacheSize entries, so it
	// has always been evicted: every request is a full verification.
	DistinctPoolSize  = 2048
	DistinctCacheSize = 256
	// ChildRefetchCooldown is the API's JWKS_REFETCH_COOLDOWN in the
	// invalid-token scenarios (its default, set explicitly).
	ChildRefetchCooldown = 5 * time.Second
	// childLogLevel keeps the per-request access log off (as the in-process
	// api-me scenario, whose logger discards), so the rows measure the
	// request path, not writes to /dev/null.
	childLogLevel = "warn"
)

func init() {
	Register(Scenario{
		Name:        "api-me-child",
		Description: "GET /api/me on bin/api (child process) with one valid token repeated vs a bare net/http handler returning the same JSON",
		MinRatio:    0.85,
		Prepare:     prepareAPIMeChild,
	})
	Register(Scenario{
		Name: "api-me-distinct",
		Description: fmt.Sprintf("GET /api/me on bin/api (child) with a new valid token every request (%d pre-minted, round-robin, VERIFIED_CACHE_SIZE=%d: every request misses) "+
			"per API cpu-second vs RS256 verifications per cpu-second on one goroutine", DistinctPoolSize, DistinctCacheSize),
		MinRatio: 0.8,
		PerCPU:   true,
		Prepare:  prepareAPIMeDistinct,
	})
	Register(Scenario{
		Name:        "api-invalid-garbage",
		Description: "GET /api/me on bin/api (child) with garbage bearer tokens (401) vs the bare handler returning /api/me's JSON; key-set fetches counted by the mock",
		MinRatio:    0.8,
		Prepare:     prepareAPIInvalid(garbageTokens),
	})
	Register(Scenario{
		Name: "api-invalid-kid",
		Description: "GET /api/me on bin/api (child) with well-formed RS256 tokens signed by a key the mock never published, unknown kids (401) " +
			"vs the bare handler returning /api/me's JSON; key-set fetches counted by the mock against the refetch cooldown",
		MinRatio: 0.8,
		Prepare:  prepareAPIInvalid(unknownKidTokens),
	})
}

// Main packages the child-process scenarios build.
const (
	APIPackage  = "github.com/descope-harness/harness/api/cmd/api"
	BarePackage = "github.com/descope-harness/harness/loadgen/cmd/bareserve"
)

// Build builds the main package pkg into dir as make build does (static,
// trimmed, stripped) and returns the binary's path. It runs the go command,
// so the working directory must be inside the module.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v: %s", pkg, err, bytes.TrimSpace(b))
	}
	return out, nil
}

// NewBuilder returns an Env.Build that builds each package into dir on
// first use and returns the same path afterwards; prebuilt maps packages
// to binaries to use instead (such as bin/api for APIPackage).
func NewBuilder(ctx context.Context, dir string, prebuilt map[string]string) func(pkg string) (string, error) {
	var (
		mu    sync.Mutex
		built = map[string]func() (string, error){}
	)
	return func(pkg string) (string, error) {
		if path, ok := prebuilt[pkg]; ok {
			return path, nil
		}
		mu.Lock()
		b, ok := built[pkg]
		if !ok {
			b = sync.OnceValues(func() (string, error) { return Build(ctx, pkg, dir) })
			built[pkg] = b
		}
		mu.Unlock()
		return b()
	}
}

// APIChildEnv is the environment of a bin/api child trusting the mock of
// env and listening on addr; extra adds or overrides variables.
func APIChildEnv(env Env, addr string, extra map[string]string) ([]string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{
		"DESCOPE_PROJECT_ID": env.ProjectID,
		"DISCOVERY_URL":      discoveryURL(env),
		"HOST":               host,
		"PORT":               port,
		"LOG_LEVEL":          childLogLevel,
	}
	maps.Copy(vars, extra)
	return ChildEnv(vars), nil
}

func discoveryURL(env Env) string {
	return env.MockURL + "/" + env.ProjectID + "/.well-known/openid-configuration"
}

// StartAPIChild starts bin/api trusting env's mock, waits for GET /ready to
// answer 200, then a quiet second for its idle RSS, and returns its base URL.
func StartAPIChild(ctx context.Context, env Env, extra map[string]string) (*Proc, string, error) {
	if env.Build == nil {
		return nil, "", errors.New("this scenario runs bin/api as a child process: Env.Build is not set")
	}
	bin, err := env.Build(APIPackage)
	if err != nil {
		return nil, "", err
	}
	p, addr, _, err := StartOnFreeAddr(ctx, func(addr string) (ProcSpec, error) {
		vars, err := APIChildEnv(env, addr, extra)
		return ProcSpec{Name: "api", Binary: bin, Env: vars, ReadyURL: "http://" + addr + "/ready"}, err
	})
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	if err := p.Settle(childIdle); err != nil {
		p.Stop()
		return nil, "", err
	}
	return p, base, nil
}

// meBody gets GET /api/me's 200 body from the API at base with token: it
// checks the API accepts the mock's tokens and gives the bare baseline's bytes.
func meBody(ctx context.Context, c *http.Client, base, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/me", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /api/me: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/me: status %d, %v", resp.StatusCode, err)
	}
	return body, nil
}

// bareMe serves the API's /api/me body from a bare handler in a child
// process (cmd/bareserve): the baseline of the rows whose API is a child
// process, so that neither side shares a Go runtime with the load generator.
//
// The baseline is sent the target's own requests (tokens, round-robin, in
// the Authorization header), which the bare handler ignores: both sides
// read the same bytes, and the ratio is the cost of what the API does with
// them.
func bareMe(ctx context.Context, env Env, base string, tokens []string) (Load, func(), error) {
	token, err := clientToken(ctx, env)
	if err != nil {
		return Load{}, nil, err
	}
	body, err := meBody(ctx, env.Client, base, token)
	if err != nil {
		return Load{}, nil, err
	}
	load, stop, err := BareChild(ctx, env, body, tokens)
	if err != nil {
		return Load{}, nil, err
	}
	load.Name = fmt.Sprintf("bare handler, child process (/api/me body, %d bytes, same requests)", len(body))
	return load, stop, nil
}

// BareChild serves body from cmd/bareserve in a child process on loopback
// and returns GET / on it as a load (with the child's CPU time). With
// tokens, each request carries the next of them as a bearer token, which
// the bare handler ignores.
func BareChild(ctx context.Context, env Env, body []byte, tokens []string) (Load, func(), error) {
	if env.Build == nil {
		return Load{}, nil, errors.New("the bare baseline runs as a child process: Env.Build is not set")
	}
	bin, err := env.Build(BarePackage)
	if err != nil {
		return Load{}, nil, err
	}
	p, addr, _, err := StartOnFreeAddr(ctx, func(addr string) (ProcSpec, error) {
		return ProcSpec{Name: "bareserve", Binary: bin, Env: ChildEnv(map[string]string{"BARE_ADDR": addr, "BARE_BODY": string(body)}),
			ReadyURL: "http://" + addr + "/"}, nil
	})
	if err != nil {
		return Load{}, nil, err
	}
	op := getOp(env.Client, "http://"+addr+"/")
	if tokens != nil {
		op = bearerOp(env.Client, "http://"+addr+"/", tokens, http.StatusOK)
	}
	return Load{Name: fmt.Sprintf("bare handler, child process (%d bytes)", len(body)), Workers: env.Workers,
		Op: op, CPU: p.CPU}, p.Stop, nil
}

// bearerOp sends GET url with the next of tokens (round-robin) and wants status.
func bearerOp(c *http.Client, url string, tokens []string, status int) func(context.Context) error {
	var n atomic.Uint64
	auths := make([]string, len(tokens))
	for i, t := range tokens {
		auths[i] = "Bearer " + t
	}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auths[(n.Add(1)-1)%uint64(len(auths))])
		return doStatus(c, req, status)
	}
}

func prepareAPIMeChild(ctx context.Context, env Env) (Plan, error) {
	p, base, err := StartAPIChild(ctx, env, nil)
	if err != nil {
		return Plan{}, err
	}
	token, err := clientToken(ctx, env)
	if err != nil {
		p.Stop()
		return Plan{}, err
	}
	baseline, stopBare, err := bareMe(ctx, env, base, []string{token})
	if err != nil {
		p.Stop()
		return Plan{}, err
	}
	return Plan{
		Target:   Load{Name: "GET /api/me (bin/api, one valid token)", Workers: env.Workers, Op: bearerOp(env.Client, base+"/api/me", []string{token}, http.StatusOK), CPU: p.CPU},
		Baseline: baseline,
		Close:    func() { stopBare(); p.Stop() },
		Procs:    []*Proc{p},
	}, nil
}

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
