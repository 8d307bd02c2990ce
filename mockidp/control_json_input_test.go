package mockidp_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// TestControlBodiesMustBeJSON: a control-plane body under any Content-Type
// but application/json (text/plain, XML, multipart, a form, none) is a 415
// naming what was sent, and the call does nothing.
func TestControlBodiesMustBeJSON(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, ct := range []string{"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "", "application/jsonx", "not a media type"} {
		req := []string{}
		if ct != "" {
			req = []string{"Content-Type", ct}
		}
		rec := serveRaw(s, http.MethodPost, "/_mock/keys/rotate", `{"count":2}`, req...)
		if rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d %s, want 415", ct, rec.Code, rec.Body)
			continue
		}
		if msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message; !strings.Contains(msg, "application/json") {
			t.Errorf("Content-Type %q: message %q does not say what is wanted", ct, msg)
		}
	}
	if n := s.KeysState().Rotations; n != 0 {
		t.Errorf("rotations = %d after refused calls, want 0", n)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		if rec := serveRaw(s, http.MethodPost, "/_mock/keys/rotate", `{"count":1}`, "Content-Type", ct); rec.Code != http.StatusOK {
			t.Errorf("Content-Type %q: %d %s, want 200", ct, rec.Code, rec.Body)
		}
	}
	// A call without a body needs no Content-Type.
	if rec := serveRaw(s, http.MethodPost, "/_mock/keys/rotate", ""); rec.Code != http.StatusOK {
		t.Errorf("no body: %d %s, want 200", rec.Code, rec.Body)
	}
}

// TestControlBodiesRefuseDuplicateKeys: a key given twice in one object, at
// any depth, is a 400 naming it: the mock does not pick one of the two.
func TestControlBodiesRefuseDuplicateKeys(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, tc := range []struct{ path, body, key string }{
		{"/_mock/keys/rotate", `{"count":1,"count":5}`, `"count"`},
		{"/_mock/tokens", `{"claims":{"sub":"a","sub":"b"}}`, `"claims.sub"`},
		{"/_mock/tokens", `{"claims":{"list":[{"x":1,"x":2}]}}`, `"claims.list[0].x"`},
		{"/_mock/clients", `{"id":"a","secret":"s","id":"b"}`, `"id"`},
	} {
		rec := serveRaw(s, http.MethodPost, tc.path, tc.body, "Content-Type", "application/json")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d %s, want 400", tc.path, tc.body, rec.Code, rec.Body)
			continue
		}
		if msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message; !strings.Contains(msg, "duplicate") || !strings.Contains(msg, tc.key) {
			t.Errorf("POST %s %s: message %q does not name the duplicate key %s", tc.path, tc.body, msg, tc.key)
		}
	}
	if n := s.KeysState().Rotations; n != 0 {
		t.Errorf("rotations = %d after refused calls, want 0", n)
	}
}

// TestControlBodiesDeeplyNested: nesting past encoding/json's limit is a 400, never a 5xx.
func TestControlBodiesDeeplyNested(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	body := `{"claims":{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`
	if rec := serve(s, http.MethodPost, "/_mock/tokens", body); rec.Code != http.StatusBadRequest {
		t.Errorf("20,000 nested arrays: %d %.200s, want 400", rec.Code, rec.Body)
	}
}

// TestDuplicateKeyCheckIsLinear: the duplicate-key walk's memory grows with
// the body, not with the square of its nesting (it built the path string of
// every element: about 120 MB for these 18 KB of nested arrays). Not
// parallel, so that no other test's allocations are counted.
func TestDuplicateKeyCheckIsLinear(t *testing.T) {
	body := []byte(strings.Repeat("[", 9000) + strings.Repeat("]", 9000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := mockidp.CheckDuplicateKeys(body); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("checking %d bytes of nested arrays allocated %d bytes, want under 16 MiB", len(body), got)
	}
}
