package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
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
