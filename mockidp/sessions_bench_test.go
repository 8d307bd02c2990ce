package mockidp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// sessionBenchServer is a mock with fixture keys and a frozen clock, with
// refresh rotation as asked.
func sessionBenchServer(b *testing.B, rotation bool) *mockidp.Server {
	b.Helper()
	p := mockidp.DefaultProject()
	p.Sessions.RefreshRotation = rotation
	s, err := mockidp.New(mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	s.SetClock(s.Now().Truncate(time.Second), true)
	return s
}

// serveJSON serves one request in-process and decodes a 200 body into v.
func serveJSON(b *testing.B, s http.Handler, method, path, auth, body string, v any) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.Bytes())
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRefresh refreshes through ServeHTTP; the clock moves a second per op
// so every session JWT is new bytes and is signed (no reuse of an identical
// token). With rotation each op signs twice and sends the newest refresh JWT.
func benchRefresh(b *testing.B, rotation bool) {
	s := sessionBenchServer(b, rotation)
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	refresh := pair.RefreshJWT
	b.ReportAllocs()
	for b.Loop() {
		s.Advance(time.Second)
		var jr mockidp.JWTResponse
		serveJSON(b, s, http.MethodPost, "/v1/auth/refresh", "Bearer "+mockidp.DefaultProjectID+":"+refresh, `{}`, &jr)
		if rotation {
			refresh = jr.RefreshJwt
		}
	}
}

// BenchmarkRefresh is POST /v1/auth/refresh without rotation: one signature
// per op. Compare with BenchmarkRSASign in the same run.
func BenchmarkRefresh(b *testing.B) { benchRefresh(b, false) }

// BenchmarkRefreshRotation is POST /v1/auth/refresh with rotation: two
// signatures per op.
func BenchmarkRefreshRotation(b *testing.B) { benchRefresh(b, true) }

// BenchmarkTestUserFlow is Descope's documented test-user flow in-process:
// create a test user, generate an OTP, verify it (two signatures), refresh
// (one), delete all test users. Goal: at most three signatures + 1 ms.
func BenchmarkTestUserFlow(b *testing.B) {
	s := sessionBenchServer(b, false)
	mgmt := "Bearer " + mockidp.DefaultProjectID + ":mock-management-key-secret"
	b.ReportAllocs()
	for b.Loop() {
		s.Advance(time.Second)
		flow(b, s, mgmt)
	}
}

// signTimer times one RSA-2048 PKCS#1 v1.5 SHA-256 signature with the
// mock's current key, the baseline of the interleaved benchmarks.
func signTimer(b *testing.B, s *mockidp.Server) func() opTime {
	priv := s.Keys().Current().Private
	sum := sha256.Sum256([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9"))
	return func() opTime {
		return timed(func() {
			if _, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// opTime is one operation's wall time and the CPU time of its thread.
type opTime struct{ wall, cpu time.Duration }

func (a opTime) add(b opTime) opTime { return opTime{a.wall + b.wall, a.cpu + b.cpu} }

// timed runs f and measures it; the benchmark goroutine is locked to its
// OS thread, so the thread's CPU time is f's.
func timed(f func()) opTime {
	c0, w0 := threadCPU(), time.Now()
	f()
	return opTime{wall: time.Since(w0), cpu: threadCPU() - c0}
}

// medians returns the median wall and CPU times.
func medians(ops []opTime) (wall, cpu time.Duration) {
	w := make([]time.Duration, len(ops))
	c := make([]time.Duration, len(ops))
	for i, o := range ops {
		w[i], c[i] = o.wall, o.cpu
	}
	return median(w), median(c)
}

// ratio is a/b as a float, 0 when b is 0.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// benchRefreshVsSign interleaves, op by op, signatures and refreshes (so
// both see the same machine load) and reports the ratio:
// refreshes/s ÷ (signatures/s ÷ signatures per refresh), from the medians.
func benchRefreshVsSign(b *testing.B, rotation bool, sigsPerRefresh int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := sessionBenchServer(b, rotation)
	sign := signTimer(b, s)
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	refresh := pair.RefreshJWT
	var signs, refreshes []opTime
	b.ReportAllocs()
	for b.Loop() {
		var d opTime
		for range sigsPerRefresh {
			d = d.add(sign())
		}
		signs = append(signs, d)
		s.Advance(time.Second)
		// Only the mock's serving is timed: building the request and
		// decoding the answer are the client's work.
		r := httptest.NewRequest(http.MethodPost, "/v1/auth/refresh", strings.NewReader(`{}`))
		r.Header.Set("Authorization", "Bearer "+mockidp.DefaultProjectID+":"+refresh)
		rec := httptest.NewRecorder()
		refreshes = append(refreshes, timed(func() { s.ServeHTTP(rec, r) }))
		if rec.Code != http.StatusOK {
			b.Fatalf("refresh: %d %s", rec.Code, rec.Body.Bytes())
		}
		if rotation {
			var jr mockidp.JWTResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &jr); err != nil {
				b.Fatal(err)
			}
			refresh = jr.RefreshJwt
		}
	}
	signWall, signCPU := medians(signs)
	refreshWall, refreshCPU := medians(refreshes)
	b.ReportMetric(ratio(signWall, refreshWall), "ratio")
	b.ReportMetric(ratio(signCPU, refreshCPU), "cpu-ratio")
	b.ReportMetric(float64(refreshCPU.Microseconds()), "refresh-cpu-µs")
	b.ReportMetric(float64(signCPU.Microseconds())/float64(sigsPerRefresh), "sign-cpu-µs")
}

// BenchmarkRefreshVsRSASign is the refresh goal without rotation (one
// signature per refresh): ratio ≥ 0.85.
func BenchmarkRefreshVsRSASign(b *testing.B) { benchRefreshVsSign(b, false, 1) }

// BenchmarkRefreshRotationVsRSASign is the same with rotation (two
// signatures per refresh).
func BenchmarkRefreshRotationVsRSASign(b *testing.B) { benchRefreshVsSign(b, true, 2) }

// BenchmarkTestUserFlowVsRSASign interleaves the whole test-user flow with
// three signatures (its count: verify signs two JWTs, refresh one) and
// reports the flow's median cost beyond them; goal ≤ 1 ms.
func BenchmarkTestUserFlowVsRSASign(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := sessionBenchServer(b, false)
	sign := signTimer(b, s)
	mgmt := "Bearer " + mockidp.DefaultProjectID + ":mock-management-key-secret"
	var signs, flows []opTime
	b.ReportAllocs()
	for b.Loop() {
		signs = append(signs, sign().add(sign()).add(sign()))
		s.Advance(time.Second)
		flows = append(flows, timed(func() { flow(b, s, mgmt) }))
	}
	signWall, signCPU := medians(signs)
	flowWall, flowCPU := medians(flows)
	b.ReportMetric(float64((flowWall-signWall).Microseconds())/1000, "beyond-3-signs-ms")
	b.ReportMetric(float64((flowCPU-signCPU).Microseconds())/1000, "cpu-beyond-3-signs-ms")
	b.ReportMetric(float64(flowCPU.Microseconds())/1000, "flow-cpu-ms")
}

// flow is the test-user flow: create, generate an OTP, verify, refresh, delete all.
func flow(b *testing.B, s *mockidp.Server, mgmt string) {
	serveJSON(b, s, http.MethodPost, "/v1/mgmt/user/create/test", mgmt, `{"loginId":"bench@example.com","email":"bench@example.com"}`, nil)
	var gen struct{ Code string }
	serveJSON(b, s, http.MethodPost, "/v1/mgmt/tests/generate/otp", mgmt, `{"loginId":"bench@example.com","deliveryMethod":"email"}`, &gen)
	var jr mockidp.JWTResponse
	serveJSON(b, s, http.MethodPost, "/v1/auth/otp/verify/email", "Bearer "+mockidp.DefaultProjectID, `{"loginId":"bench@example.com","code":"`+gen.Code+`"}`, &jr)
	s.Advance(time.Second)
	serveJSON(b, s, http.MethodPost, "/v1/auth/refresh", "Bearer "+mockidp.DefaultProjectID+":"+jr.RefreshJwt, `{}`, nil)
	serveJSON(b, s, http.MethodDelete, "/v1/mgmt/user/test/delete/all", mgmt, "", nil)
}
