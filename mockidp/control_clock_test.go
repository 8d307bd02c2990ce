package mockidp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// TestClockBounds: every way of moving the clock (PUT /_mock/clock, frozen or
// running, POST /_mock/clock/advance, and the Go methods) keeps it within
// 200 years of real time; a refusal is a 400 naming the field and the bound,
// and the clock stays where it was (GET /_mock/clock keeps answering 200).
func TestClockBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path, body, field string
	}{
		{http.MethodPut, "/_mock/clock", `{"now":"9999-12-31T23:59:59Z","frozen":true}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":"9999-12-31T23:59:59Z"}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":9223372036854775807,"frozen":true}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":-9223372036854775808}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":"+2562047h"}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":"-2562047h","frozen":true}`, "now"},
		{http.MethodPut, "/_mock/clock", `{"now":"1800-01-01T00:00:00Z","frozen":true}`, "now"},
		{http.MethodPost, "/_mock/clock/advance", `{"by":"2562047h"}`, "by"},
		{http.MethodPost, "/_mock/clock/advance", `{"seconds":1e300}`, "seconds"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, mockidp.Config{})
			before := s.Now()
			rec := serve(s, tc.method, tc.path, tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%s %s %s: %d %s, want 400", tc.method, tc.path, tc.body, rec.Code, rec.Body)
			}
			msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message
			if !strings.Contains(msg, tc.field) || !strings.Contains(msg, "200 years") {
				t.Errorf("message %q does not name %s and the bound (200 years)", msg, tc.field)
			}
			if got := s.Now(); got.Sub(before) > time.Minute || got.Before(before) {
				t.Errorf("clock moved to %v on a refused call (was %v)", got, before)
			}
			if rec := serve(s, http.MethodGet, "/_mock/clock", ""); rec.Code != http.StatusOK {
				t.Errorf("GET /_mock/clock afterwards: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

// TestClockBoundsAcceptTheRange: times inside the bound are accepted, frozen or running.
func TestClockBoundsAcceptTheRange(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, body := range []string{`{"now":"2030-01-01T00:00:00Z","frozen":true}`, `{"now":"+199y"}`, `{"now":"-1h"}`, `{"now":"1900-01-01T00:00:00Z"}`} {
		if strings.Contains(body, "199y") {
			body = `{"now":"+` + (199 * 365 * 24 * time.Hour).String() + `"}`
		}
		if rec := serve(s, http.MethodPut, "/_mock/clock", body); rec.Code != http.StatusOK {
			t.Errorf("PUT %s: %d %s, want 200", body, rec.Code, rec.Body)
		}
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoClockBounds: the Go methods keep the same bounds and say so.
func TestGoClockBounds(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	before := s.Now()
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	for name, err := range map[string]error{
		"SetClock frozen":  s.SetClock(far, true),
		"SetClock running": s.SetClock(far, false),
		"Clock().Set":      s.Clock().Set(time.Unix(-1<<62, 0), true),
		"Advance":          s.Advance(250 * 365 * 24 * time.Hour),
		"Clock().Advance":  s.Clock().Advance(-250 * 365 * 24 * time.Hour),
	} {
		if err == nil || !strings.Contains(err.Error(), "200 years") {
			t.Errorf("%s: got %v, want an error naming the bound", name, err)
		}
	}
	if got := s.Now(); got.Sub(before) > time.Minute || got.Before(before) {
		t.Errorf("clock moved to %v on refused calls (was %v)", got, before)
	}
	if err := s.SetClock(before.Add(time.Hour), true); err != nil {
		t.Errorf("SetClock an hour ahead: %v", err)
	}
}
