package mockidp_test

// Control-plane requests that are refused: each error names what was wrong.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// Trailing data after a control-plane JSON object is an error: the call must
// not act on a body it only half understood.
func TestControlBodyTrailingData(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, body := range []string{`{"count":1} }`, `{"count":1}]`, `{"count":1} {"count":2}`, `{"count":1} x`} {
		rec := serve(s, http.MethodPost, "/_mock/keys/rotate", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("body %q: %d %s, want 400", body, rec.Code, rec.Body)
			continue
		}
		if e := errorBody(t, rec.Code, rec.Body.Bytes()); !strings.Contains(e.Message, "trailing") {
			t.Errorf("body %q: message %q does not say what is wrong", body, e.Message)
		}
	}
	if n := s.KeysState().Rotations; n != 0 {
		t.Errorf("rotations = %d after refused calls, want 0", n)
	}
}

// Control-plane errors name the field at fault in the caller's terms (JSON
// field names and JSON types), never Go types.
func TestControlErrorsNameTheField(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, tc := range []struct {
		path, body string
		want       []string
	}{
		{"/_mock/tokens", `{"exp":"tomorrow"}`, []string{"exp", "tomorrow"}},
		{"/_mock/tokens", `{"nbf":true}`, []string{"nbf"}},
		{"/_mock/tokens", `{"iat":1.5}`, []string{"iat"}},
		{"/_mock/tokens", `{"claims":[1]}`, []string{"claims", "object"}},
		{"/_mock/faults", `{"endpoint":"jwks","latency":"5y"}`, []string{"latency", "5y"}},
		{"/_mock/clients", `{"id":"x","secret":"y","ttl":true}`, []string{"ttl"}},
		{"/_mock/clients", `{"id":"x","secret":"y","scopes":"openid"}`, []string{"scopes", "array"}},
		{"/_mock/keys/rotate", `{"count":"2"}`, []string{"count", "whole number", "string"}},
		{"/_mock/keys/rotate", `{"count":2.5}`, []string{"count", "whole number"}},
		{"/_mock/keys/rotate", `[]`, []string{"object", "array"}},
		{"/_mock/keys/rotate", `{"cnt":2}`, []string{`"cnt"`, "count"}},
		{"/_mock/keys/revoke", `{"kid":5}`, []string{"kid", "string"}},
		{"/_mock/clock/advance", `{"by":"soon"}`, []string{"by", "soon"}},
	} {
		rec := serve(s, http.MethodPost, tc.path, tc.body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d %s, want 400", tc.path, tc.body, rec.Code, rec.Body)
			continue
		}
		msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("POST %s %s: message %q does not mention %q", tc.path, tc.body, msg, w)
			}
		}
		for _, bad := range []string{"Go value", "Go struct", "mockidp.", "interface {}", "json: "} {
			if strings.Contains(msg, bad) {
				t.Errorf("POST %s %s: message %q speaks Go (%q)", tc.path, tc.body, msg, bad)
			}
		}
	}
}

// A client or access key refused at run time is not a project-file error:
// the message names the JSON field, without a "project:" prefix.
func TestControlClientErrorsNameJSONFields(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, tc := range []struct{ path, body, want string }{
		{"/_mock/clients", `{}`, "id: "},
		{"/_mock/clients", `{"id":"x"}`, "secret: is required"},
		{"/_mock/clients", `{"id":"x","secret":"y","claims":{"iss":"z"}}`, "claims.iss: "},
		{"/_mock/access-keys", `{"id":"K1","secret":"a:b"}`, "secret: must not contain"},
	} {
		rec := serve(s, http.MethodPost, tc.path, tc.body)
		msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message
		if rec.Code != http.StatusBadRequest || !strings.HasPrefix(msg, tc.want) {
			t.Errorf("POST %s %s: %d %q, want 400 starting %q", tc.path, tc.body, rec.Code, msg, tc.want)
		}
	}
}

// Advancing the clock by more than a time.Duration holds is refused, not
// wrapped or saturated into a clock centuries away.
func TestClockAdvanceOutOfRange(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	before := s.Now()
	for _, body := range []string{`{"seconds":1e300}`, `{"seconds":-1e300}`, `{"seconds":1e10}`} {
		rec := serve(s, http.MethodPost, "/_mock/clock/advance", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("advance %s: %d %s, want 400", body, rec.Code, rec.Body)
			continue
		}
		if msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message; !strings.Contains(msg, "seconds") {
			t.Errorf("advance %s: message %q does not name seconds", body, msg)
		}
	}
	if got := s.Now(); got.Sub(before) > time.Minute || got.Before(before) {
		t.Errorf("clock moved to %v on refused calls (was %v)", got, before)
	}
	// Advances that each fit must not overflow the offset together: the
	// running clock never goes backwards when only moved forward.
	for i := 0; i < 3; i++ {
		serve(s, http.MethodPost, "/_mock/clock/advance", `{"by":"876000h"}`) // 100 years
		if got := s.Now(); got.Before(before) {
			t.Fatalf("advance %d: clock went backwards to %v (was %v)", i+1, got, before)
		}
	}
}

// /_mock without a slash is a control-plane path like any other: JSON, not
// an HTML redirect.
func TestMockRootIsJSON(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	rec := serve(s, http.MethodGet, "/_mock", "")
	if rec.Code != http.StatusNotFound || errorBody(t, rec.Code, rec.Body.Bytes()).Code != mockidp.CodeMockNotFound {
		t.Errorf("GET /_mock: %d %s, want 404 %s", rec.Code, rec.Body, mockidp.CodeMockNotFound)
	}
}
