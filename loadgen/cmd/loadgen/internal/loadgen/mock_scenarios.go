package loadgen

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// SigningBaseline is RSA-2048 PKCS#1 v1.5 SHA-256 signing in a loop on
// every core: the ceiling of a token endpoint that signs every token.
func SigningBaseline() (Load, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Load{}, fmt.Errorf("generating the baseline key: %w", err)
	}
	var n atomic.Uint64
	return Load{
		Name:    fmt.Sprintf("RSA-2048 signatures (%d cores)", runtime.GOMAXPROCS(0)),
		Workers: runtime.GOMAXPROCS(0),
		Op: func(context.Context) error {
			sum := sha256.Sum256(strconv.AppendUint([]byte("eyJhbGciOiJSUzI1NiJ9."), n.Add(1), 10))
			_, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
			return err
		},
		// This process's CPU time: during the baseline only the signing
		// loop runs here (an in-process mock is idle).
		CPU: func() (time.Duration, error) { return ProcessCPU(0) },
	}, nil
}

func prepareToken(distinct bool) func(context.Context, Env) (Plan, error) {
	return func(ctx context.Context, env Env) (Plan, error) {
		baseline, err := SigningBaseline()
		if err != nil {
			return Plan{}, err
		}
		tokenURL := env.MockURL + "/oauth2/v1/token"
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(env.ClientID)+":"+url.QueryEscape(env.ClientSecret)))
		var n atomic.Uint64
		op := func(ctx context.Context) error {
			body := "grant_type=client_credentials"
			if distinct {
				body += "&audience=loadgen-" + strconv.FormatUint(n.Add(1), 10)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", auth)
			return do(env.Client, req)
		}
		if err := op(ctx); err != nil { // fail fast on a wrong URL or client
			return Plan{}, fmt.Errorf("first token request: %w", err)
		}
		return Plan{
			Target:   Load{Name: "POST /oauth2/v1/token (" + env.ClientID + ")", Workers: env.Workers, Op: op, CPU: env.MockCPU},
			Baseline: baseline,
		}, nil
	}
}

// prepareGet measures GET target beside a bare handler on loopback that
// serves the target's own response bytes.
func prepareGet(name string, target func(Env) string) func(context.Context, Env) (Plan, error) {
	return func(ctx context.Context, env Env) (Plan, error) {
		u := target(env)
		body, err := fetch(ctx, env.Client, u)
		if err != nil {
			return Plan{}, fmt.Errorf("fetching %s: %w", u, err)
		}
		target := Load{Name: "GET " + strings.TrimPrefix(u, env.MockURL), Workers: env.Workers, Op: getOp(env.Client, u), CPU: env.MockCPU}
		if env.MockIsChild { // compare process with process
			baseline, closeBare, err := BareChild(ctx, env, body, nil)
			if err != nil {
				return Plan{}, err
			}
			baseline.Name = fmt.Sprintf("bare handler, child process (%s, %d bytes)", name, len(body))
			return Plan{Target: target, Baseline: baseline, Close: closeBare}, nil
		}
		bare, closeBare, err := ServeBytes(body)
		if err != nil {
			return Plan{}, err
		}
		return Plan{
			Target:   target,
			Baseline: Load{Name: fmt.Sprintf("bare handler (%s, %d bytes)", name, len(body)), Workers: env.Workers, Op: getOp(env.Client, bare)},
			Close:    closeBare,
		}, nil
	}
}

// ServeBytes serves body as application/json on a loopback port: the
// baseline of an endpoint that serves pre-encoded bytes.
func ServeBytes(body []byte) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listening on loopback: %w", err)
	}
	length := strconv.Itoa(len(body))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 5 * time.Second} // as the in-process mock and API have
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}

func getOp(c *http.Client, u string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		return do(c, req)
	}
}

// do sends req, drains the body so the connection is reused, and wants 200.
func do(c *http.Client, req *http.Request) error { return doStatus(c, req, http.StatusOK) }

// doStatus sends req, drains the body so the connection is reused, and
// wants status.
func doStatus(c *http.Client, req *http.Request, status int) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != status {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, status)
	}
	return nil
}

func fetch(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return b, nil
}
