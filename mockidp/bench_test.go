package mockidp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// benchServer is a Server with fixture keys and a frozen clock.
func benchServer(b *testing.B) *mockidp.Server {
	b.Helper()
	s := newServerTB(b)
	s.SetClock(s.Now().Truncate(time.Second), true)
	return s
}

func newServerTB(tb testing.TB) *mockidp.Server {
	tb.Helper()
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// BenchmarkRSASign is the baseline: one RSA-2048 PKCS#1 v1.5 SHA-256
// signature, the cost every distinct token must pay.
func BenchmarkRSASign(b *testing.B) {
	s := benchServer(b)
	priv := s.Keys().Current().Private
	sum := sha256.Sum256([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintDistinct mints a token whose claims differ every op, so each
// op signs.
func BenchmarkMintDistinct(b *testing.B) {
	s := benchServer(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client", Claims: map[string]any{"n": strconv.Itoa(i)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintRepeated issues the same client's token within one second
// (the clock is frozen): identical bytes are signed once and reused.
func BenchmarkMintRepeated(b *testing.B) {
	s := benchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ClientToken("admin-client", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// serveBench serves one GET through h per op with a recorder.
func serveBench(b *testing.B, h http.Handler, path string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkServeJWKS serves /v2/keys/{pid} through ServeHTTP.
func BenchmarkServeJWKS(b *testing.B) {
	s := benchServer(b)
	if err := s.RotateKeys(3); err != nil { // a realistic set of 4 keys
		b.Fatal(err)
	}
	serveBench(b, s, "/v2/keys/"+mockidp.DefaultProjectID)
}

// BenchmarkServeDiscovery serves the project's OpenID configuration.
func BenchmarkServeDiscovery(b *testing.B) {
	serveBench(b, benchServer(b), "/"+mockidp.DefaultProjectID+"/.well-known/openid-configuration")
}

// BenchmarkBareHandler is the floor for the two above: a handler writing
// fixed JSON bytes of a similar size.
func BenchmarkBareHandler(b *testing.B) {
	body := make([]byte, 1500)
	for i := range body {
		body[i] = 'a'
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	serveBench(b, h, "/bare")
}
