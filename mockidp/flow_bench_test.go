package mockidp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// BenchmarkFlowSignInVsRSASign interleaves a whole flow sign-in of the
// built-in sign-up-or-in flow (start, the email step, the code step: two
// signatures) with two signatures, and reports the sign-in's median cost
// beyond them (issue 18's goal: ≤ 1 ms).
func BenchmarkFlowSignInVsRSASign(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := sessionBenchServer(b, false)
	sign := signTimer(b, s)
	auth := "Bearer " + mockidp.DefaultProjectID
	var last int64
	var start, step struct{ ExecutionID, StepID string }
	signIn := func() {
		serveJSON(b, s, http.MethodPost, "/v1/flow/start", auth, `{"flowId":"sign-up-or-in","options":{"location":"http://localhost:3000/"}}`, &start)
		serveJSON(b, s, http.MethodPost, "/v1/flow/next", auth, `{"executionId":"`+start.ExecutionID+`","stepId":"1","interactionId":"continue","input":{"email":"alice@example.com","origin":"http://localhost:3000"}}`, &step)
		msg, err := s.WaitOutbox(context.Background(), "alice@example.com", mockidp.OutboxOTP, last)
		if err != nil {
			b.Fatal(err)
		}
		last = msg.ID
		serveJSON(b, s, http.MethodPost, "/v1/flow/next", auth, `{"executionId":"`+step.ExecutionID+`","stepId":"`+step.StepID+`","interactionId":"verify","input":{"code":"`+msg.Code+`"}}`, nil)
	}
	var signs, flows []opTime
	b.ReportAllocs()
	for b.Loop() {
		signs = append(signs, sign().add(sign()))
		s.Advance(time.Second)
		flows = append(flows, timed(signIn))
		if len(signs)%1000 == 0 {
			s.ClearOutbox() // the outbox's bound; not part of a sign-in
		}
	}
	signWall, signCPU := medians(signs)
	flowWall, flowCPU := medians(flows)
	b.ReportMetric(float64((flowWall-signWall).Microseconds())/1000, "beyond-2-signs-ms")
	b.ReportMetric(float64((flowCPU-signCPU).Microseconds())/1000, "cpu-beyond-2-signs-ms")
	b.ReportMetric(float64(flowCPU.Microseconds())/1000, "signin-cpu-ms")
}

// screenBatch is how many screens one timed sample serves.
const screenBatch = 200

// BenchmarkFlowScreenVsBare interleaves, batch by batch, a flow screen
// served by the mock (GET /pages/{pid}/v2-beta/sign-up-or-in.code.html
// from a browser origin: routing, CORS, counters) and by a bare handler
// writing the same bytes and headers (issue 18's goal: ratio ≤ 1.1).
func BenchmarkFlowScreenVsBare(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := sessionBenchServer(b, false)
	r := httptest.NewRequest(http.MethodGet, "/pages/"+mockidp.DefaultProjectID+"/v2-beta/sign-up-or-in.code.html", nil)
	r.Header.Set("Origin", "http://localhost:3000")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatalf("screen: %d %s", rec.Code, rec.Body)
	}
	bare := bareScreenHandler(rec.Body.Bytes())
	for _, h := range []http.Handler{s, bare} {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK || len(w.h) != 7 {
			b.Fatalf("screen answered %d %v", w.status, w.h)
		}
	}
	batch := func(h http.Handler) opTime {
		w := &discardWriter{h: make(http.Header, 8)}
		return timed(func() {
			for range screenBatch {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
	var mocks, bares []opTime
	b.ReportAllocs()
	for b.Loop() {
		bares = append(bares, batch(bare))
		mocks = append(mocks, batch(s))
	}
	mockWall, mockCPU := medians(mocks)
	bareWall, bareCPU := medians(bares)
	b.ReportMetric(ratio(mockWall, bareWall), "ratio")
	b.ReportMetric(ratio(mockCPU, bareCPU), "cpu-ratio")
	b.ReportMetric(float64(mockCPU.Nanoseconds())/screenBatch, "mock-cpu-ns/screen")
	b.ReportMetric(float64(bareCPU.Nanoseconds())/screenBatch, "bare-cpu-ns/screen")
}

// bareScreenHandler answers what the mock answers for a screen, from
// shared slices: the page's headers and the CORS headers a cross-origin
// fetch needs, and body.
func bareScreenHandler(body []byte) http.Handler {
	body = bytes.Clone(body)
	length, html, noStore := []string{strconv.Itoa(len(body))}, []string{"text/html; charset=utf-8"}, []string{"no-store"}
	origin, trueV, vary, expose := []string{"http://localhost:3000"}, []string{"true"}, []string{"Origin"}, []string{"Retry-After, X-Descope-Flow-Nonce"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Access-Control-Allow-Origin"] = origin
		h["Access-Control-Allow-Credentials"] = trueV
		h["Vary"] = vary
		h["Access-Control-Expose-Headers"] = expose
		h["Content-Type"] = html
		h["Content-Length"] = length
		h["Cache-Control"] = noStore
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}

// httpBatch is how many screens one timed sample fetches over loopback.
const httpBatch = 50

// BenchmarkFlowScreenHTTPVsBare is BenchmarkFlowScreenVsBare over loopback
// HTTP, as a browser fetches a screen: the mock and the bare handler each
// behind an httptest server, fetched by one keep-alive client, batch by
// batch interleaved.
func BenchmarkFlowScreenHTTPVsBare(b *testing.B) {
	s := sessionBenchServer(b, false)
	path := "/pages/" + mockidp.DefaultProjectID + "/v2-beta/sign-up-or-in.code.html"
	mock := httptest.NewServer(s)
	defer mock.Close()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	bare := httptest.NewServer(bareScreenHandler(rec.Body.Bytes()))
	defer bare.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	fetch := func(base string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Origin", "http://localhost:3000")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n != int64(rec.Body.Len()) {
			b.Fatalf("%s: %d, %d bytes", base, resp.StatusCode, n)
		}
	}
	batch := func(base string) time.Duration {
		start := time.Now()
		for range httpBatch {
			fetch(base)
		}
		return time.Since(start)
	}
	var mocks, bares []time.Duration
	for b.Loop() {
		bares = append(bares, batch(bare.URL))
		mocks = append(mocks, batch(mock.URL))
	}
	b.ReportMetric(ratio(median(mocks), median(bares)), "ratio")
	b.ReportMetric(float64(median(mocks).Microseconds())/httpBatch, "mock-us/screen")
	b.ReportMetric(float64(median(bares).Microseconds())/httpBatch, "bare-us/screen")
}
