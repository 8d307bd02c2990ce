package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// defaultURL is the URL of a mock listening on MOCKIDP_ADDR (or the default
// address), with a wildcard host replaced by loopback; https when the
// environment says the mock serves it (MOCKIDP_TLS, MOCKIDP_TLS_CERT).
func defaultURL(getenv func(string) string) string {
	if u := getenv("MOCKIDP_URL"); u != "" {
		return strings.TrimSuffix(u, "/")
	}
	addr := getenv("MOCKIDP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	scheme := "http://"
	if tlsDefault(getenv) {
		scheme = "https://"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "127.0.0.1:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return scheme + net.JoinHostPort(host, port)
}

// token prints an access token: from the token endpoint when a secret is
// given, else minted through the control plane for the client.
func token(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockidp token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", defaultURL(getenv), "base URL of the running mock [MOCKIDP_URL]")
	client := fs.String("client", getenv("MOCKIDP_CLIENT"), "client ID (required) [MOCKIDP_CLIENT]")
	secret := fs.String("secret", getenv("MOCKIDP_SECRET"), "client secret: use the real token endpoint instead of the control plane [MOCKIDP_SECRET]")
	scope := fs.String("scope", getenv("MOCKIDP_SCOPE"), "space-separated scopes to request [MOCKIDP_SCOPE]")
	admin := fs.String("admin-token", getenv("MOCKIDP_ADMIN_TOKEN"), "control-plane admin token [MOCKIDP_ADMIN_TOKEN]")
	caFile := fs.String("ca-file", defaultCAFile(getenv), "PEM file of the CA to trust (instead of the system's) for a mock served over HTTPS [MOCKIDP_CA_FILE, else MOCKIDP_TLS_CA_OUT]")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *client == "" {
		return usageError{errors.New("token: --client (MOCKIDP_CLIENT) is required")}
	}
	httpc, err := httpClient(*caFile, 10*time.Second)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	// The connection ends with the command (an HTTP/2 server would
	// otherwise wait a second for it when it shuts down).
	defer httpc.CloseIdleConnections()
	var req *http.Request
	if *secret != "" {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {*scope}}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, *base+"/oauth2/v1/token", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(*client), url.QueryEscape(*secret))
	} else {
		body, _ := json.Marshal(map[string]string{"client_id": *client, "scope": *scope})
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, *base+"/_mock/tokens", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if *admin != "" {
			req.Header.Set("Authorization", "Bearer "+*admin)
		}
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return fmt.Errorf("token: %w", trustHint(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("token: reading response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("token: %s answered %d: %s", req.URL, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Token       string `json:"token"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("token: unexpected response: %w", err)
	}
	fmt.Fprintln(stdout, out.AccessToken+out.Token)
	return nil
}

// healthcheck exits 0 when the mock's health endpoint answers 200: for
// container HEALTHCHECKs, which have no curl.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockidp healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", defaultURL(getenv), "base URL of the running mock [MOCKIDP_URL]")
	defTimeout := 3 * time.Second
	if v := getenv("MOCKIDP_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("MOCKIDP_TIMEOUT: %q is not a duration like 3s", v)
		}
		defTimeout = d
	}
	timeout := fs.Duration("timeout", defTimeout, "give up after this long [MOCKIDP_TIMEOUT]")
	caFile := fs.String("ca-file", defaultCAFile(getenv), "PEM file of the CA to trust (instead of the system's) for a mock served over HTTPS [MOCKIDP_CA_FILE, else MOCKIDP_TLS_CA_OUT]")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	httpc, err := httpClient(*caFile, 0)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer httpc.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *base+"/_mock/health", nil)
	if err != nil {
		return err
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", trustHint(err))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", req.URL, resp.StatusCode)
	}
	return nil
}
