package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// TestControlPlaneNeedsAdminToken: with an admin token set, every /_mock/
// call but health is a 401 without it (or with a wrong one), whatever the
// method, path or body, and changes nothing.
func TestControlPlaneNeedsAdminToken(t *testing.T) {
	t.Parallel()
	s := newFuzzServer(t, fuzzAdminToken)
	before := s.KeysState()
	paths := []string{"/_mock/keys", "/_mock/keys/rotate", "/_mock/keys/revoke", "/_mock/tokens", "/_mock/clients",
		"/_mock/clients/admin-client", "/_mock/access-keys", "/_mock/access-keys/K2MockAccessKey0000000000001", "/_mock/faults",
		"/_mock/jwks-cache", "/_mock/requests", "/_mock/clock", "/_mock/clock/advance", "/_mock/reset", "/_mock/unknown", "/_mock/", "/_mock"}
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}
	credentials := []string{"", "Bearer wrong", "Bearer " + fuzzAdminToken + "x", "Basic " + fuzzAdminToken, fuzzAdminToken, "Bearer"}
	for _, path := range paths {
		for _, method := range methods {
			for _, cred := range credentials {
				r := httptest.NewRequest(method, path, nil)
				if cred != "" {
					r.Header.Set("Authorization", cred)
				}
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, r)
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s %s with %q: got %d, want 401", method, path, cred, rec.Code)
					continue
				}
				if method != http.MethodHead {
					checkDescopeError(t, rec)
				}
			}
		}
	}
	if after := s.KeysState(); after.Current != before.Current || after.Rotations != before.Rotations {
		t.Errorf("key state changed by refused calls: got %+v, want %+v", after, before)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(method, "/_mock/health", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s /_mock/health without a token: got %d, want 200", method, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/_mock/keys", nil)
	r.Header.Set("Authorization", "bearer "+fuzzAdminToken)
	s.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Errorf("GET /_mock/keys with the admin token: got %d, want 200", rec.Code)
	}
}

// TestNewRefusesUnmatchableAdminTokens: an admin token no request header
// could carry locks every caller out; New refuses it and says why.
func TestNewRefusesUnmatchableAdminTokens(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{" ": "blank", "tok\n": "control character", "a\x00b": "control character", " token": "white space"} {
		_, err := mockidp.New(mockidp.Config{AdminToken: token, KeyPEM: fixtures.KeyPEMs()[:1]})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("AdminToken %q: got %v, want an error containing %q", token, err, want)
		}
	}
}
