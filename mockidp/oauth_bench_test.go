package mockidp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
)

const benchRedirect = "http://127.0.0.1:3000/callback"

func oidcBenchServer(b *testing.B) *mockidp.Server {
	b.Helper()
	s := benchServer(b)
	if err := s.AddClient(mockidp.Client{ID: "web-app", Secret: "web-secret",
		ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{benchRedirect}}}); err != nil {
		b.Fatal(err)
	}
	return s
}

// codeFlowSignatures is what one flow signs: access, ID and refresh token
// at the exchange, access and ID token at the refresh (no rotation).
const codeFlowSignatures = 5

// BenchmarkCodeFlow is a full code flow in-process: authorize with a
// login_hint and PKCE, exchange the code with its verifier, one refresh.
// The clock moves a second per op so no token repeats (the mock would
// reuse an identical token's signature). Compare with
// BenchmarkCodeFlowSignatures, its five signatures alone (issue 12: at most
// those plus 1 ms).
func BenchmarkCodeFlow(b *testing.B) {
	s := oidcBenchServer(b)
	verifier := oauth2.GenerateVerifier()
	authorize := "/oauth2/v1/authorize?" + url.Values{"client_id": {"web-app"}, "redirect_uri": {benchRedirect}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"s"}, "nonce": {"n"}, "login_hint": {"alice@example.com"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}.Encode()
	post := func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/v1/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth("web-app", "web-secret")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("token: %d %s", rec.Code, rec.Body)
		}
		return rec
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		s.Advance(time.Second)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, authorize, nil))
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil || rec.Code != http.StatusFound {
			b.Fatalf("authorize: %d %s", rec.Code, rec.Body)
		}
		body := post(url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {benchRedirect}, "code_verifier": {verifier}}.Encode()).Body.String()
		i := strings.Index(body, `"refresh_token":"`) + len(`"refresh_token":"`)
		refresh := body[i : i+strings.IndexByte(body[i:], '"')]
		s.Advance(time.Second)
		post("grant_type=refresh_token&refresh_token=" + refresh)
	}
}

// BenchmarkCodeFlowSignatures is BenchmarkCodeFlow's baseline: its five
// RSA-2048 signatures and nothing else.
func BenchmarkCodeFlowSignatures(b *testing.B) {
	s := benchServer(b)
	priv := s.Keys().Current().Private
	sum := sha256.Sum256([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9"))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		for range codeFlowSignatures {
			if _, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// loginPageRequest is an authorization request without a login_hint: the
// login page.
var loginPageRequest = "/oauth2/v1/authorize?" + url.Values{"client_id": {"web-app"}, "redirect_uri": {benchRedirect},
	"response_type": {"code"}, "scope": {"openid email"}, "state": {"s"}}.Encode()

// BenchmarkLoginPage serves the login page over loopback HTTP, as a
// browser gets it. Compare with BenchmarkLoginPageBareHandler (issue 12:
// at least 0.9 × its rate).
func BenchmarkLoginPage(b *testing.B) {
	s := oidcBenchServer(b)
	benchServeLoop(b, s, loginPageRequest)
}

// BenchmarkLoginPageBareHandler is the baseline: a handler that writes the
// same bytes and headers and does nothing else, over loopback HTTP.
func BenchmarkLoginPageBareHandler(b *testing.B) {
	s := oidcBenchServer(b)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, loginPageRequest, nil))
	body, header := rec.Body.Bytes(), rec.Header().Clone()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
	benchServeLoop(b, bare, loginPageRequest)
}

// benchServeLoop GETs path from h over a loopback server, one keep-alive
// connection per parallel worker.
func benchServeLoop(b *testing.B, h http.Handler, path string) {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 32<<10)
		for pb.Next() {
			resp, err := client.Get(srv.URL + path)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// reportCPU adds cpu-ns/op, the process's CPU time (user and system, every
// thread) per op, to a benchmark: on a machine shared with other work it
// varies far less than wall time. Call its result when the loop ends.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoginPageVsBare alternates, request by request, one GET of the
// login page and one of the bare handler serving its bytes, each over its own
// loopback keep-alive connection, and reports both times and their ratio
// (bare/page, the page's rate as a fraction of the bare handler's): the
// machine's other work falls on both alike.
func BenchmarkLoginPageVsBare(b *testing.B) {
	s := oidcBenchServer(b)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, loginPageRequest, nil))
	body, header := rec.Body.Bytes(), rec.Header().Clone()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
	pageSrv, bareSrv := httptest.NewServer(s), httptest.NewServer(bare)
	b.Cleanup(pageSrv.Close)
	b.Cleanup(bareSrv.Close)
	buf := make([]byte, 32<<10)
	get := func(c *http.Client, u string) time.Duration {
		start := time.Now()
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	pageClient, bareClient := pageSrv.Client(), bareSrv.Client()
	var page, bareTotal time.Duration
	for b.Loop() {
		page += get(pageClient, pageSrv.URL+loginPageRequest)
		bareTotal += get(bareClient, bareSrv.URL+loginPageRequest)
	}
	b.ReportMetric(float64(page)/float64(b.N), "page-ns/op")
	b.ReportMetric(float64(bareTotal)/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(bareTotal)/float64(page), "rate-ratio")
}
