package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/descope-harness/harness/api"
	"github.com/descope-harness/harness/api/auth"
)

// prepareAPIMe serves the API on loopback, trusting the mock at env.MockURL,
// gets one client-credentials token and measures GET /api/me with it.
func prepareAPIMe(ctx context.Context, env Env) (Plan, error) {
	apiURL, stopAPI, err := startAPI(ctx, env)
	if err != nil {
		return Plan{}, err
	}
	token, err := clientToken(ctx, env)
	if err != nil {
		stopAPI()
		return Plan{}, err
	}
	target := apiURL + "/api/me"
	op := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return do(env.Client, req)
	}
	// The first request fetches the key set; it also gives the baseline's bytes.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := env.Client.Do(req)
	if err != nil {
		stopAPI()
		return Plan{}, fmt.Errorf("first GET /api/me: %w", err)
	}
	var body json.RawMessage
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		stopAPI()
		return Plan{}, fmt.Errorf("first GET /api/me: status %d, %v", resp.StatusCode, err)
	}
	bare, stopBare, err := ServeBytes(body)
	if err != nil {
		stopAPI()
		return Plan{}, err
	}
	return Plan{
		Target: Load{Name: "GET /api/me (one valid token)", Workers: env.Workers, Op: op},
		// The baseline gets the same requests (the bare handler ignores the
		// token): the ratio is the cost of what the API does with them.
		Baseline: Load{Name: fmt.Sprintf("bare handler (/api/me body, %d bytes, same requests)", len(body)), Workers: env.Workers, Op: bearerOp(env.Client, bare, []string{token}, http.StatusOK)},
		Close:    func() { stopBare(); stopAPI() },
	}, nil
}

// startAPI serves api.New with a validator of the mock's project on
// 127.0.0.1:0 and waits until its keys are loaded.
func startAPI(ctx context.Context, env Env) (base string, stop func(), err error) {
	v, err := auth.New(auth.Config{
		DiscoveryURL: env.MockURL + "/" + env.ProjectID + "/.well-known/openid-configuration",
		Audience:     env.ProjectID,
	})
	if err != nil {
		return "", nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	v.Start(runCtx)
	h, err := api.New(api.Config{Auth: v, ProjectID: env.ProjectID})
	if err != nil {
		cancel()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return "", nil, fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() { _ = srv.Close(); cancel() }
	for deadline := time.Now().Add(10 * time.Second); !v.Ready(); {
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("the API did not load the mock's keys within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// clientToken gets a client-credentials access token from the mock.
func clientToken(ctx context.Context, env Env) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.MockURL+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(env.ClientID), url.QueryEscape(env.ClientSecret))
	resp, err := env.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return "", fmt.Errorf("token request: status %d, %v", resp.StatusCode, err)
	}
	return out.AccessToken, nil
}
