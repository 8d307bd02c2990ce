package mockidp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// controlFuzzRoutes are the control-plane calls that read a request body.
var controlFuzzRoutes = []struct{ method, path string }{
	{http.MethodPost, "/_mock/keys/rotate"},
	{http.MethodPost, "/_mock/keys/revoke"},
	{http.MethodPost, "/_mock/tokens"},
	{http.MethodPost, "/_mock/clients"},
	{http.MethodPost, "/_mock/access-keys"},
	{http.MethodPost, "/_mock/faults"},
	{http.MethodPut, "/_mock/jwks-cache"},
	{http.MethodPut, "/_mock/clock"},
	{http.MethodPost, "/_mock/clock/advance"},
	{http.MethodPost, "/_mock/reset"},
}

const fuzzAdminToken = "fuzz-admin-token"

// FuzzControlPlane sends any body to every control-plane call that reads one
// (with the admin token). Invariants: no panic, never a 5xx, every failure a
// JSON body with a non-empty errorCode. The mock is reset after each input so
// inputs stay independent.
func FuzzControlPlane(f *testing.F) {
	seeds := []struct {
		route int
		body  string
	}{
		{0, ``}, {0, `{"count":3}`}, {0, `{"count":0}`}, {0, `{"count":1000}`}, {0, `{"count":1e3}`},
		{1, `{"kid":"SK2"}`}, {1, `{}`}, {1, `{"kid":null}`},
		{2, `{}`}, {2, `{"client_id":"admin-client","scope":"openid"}`},
		{2, `{"claims":{"exp":null,"x":[1,{"y":2}]},"iat":"-1h","nbf":"2024-01-01T00:00:00Z","exp":1700000000}`},
		{2, `{"preset":"expired"}`}, {2, `{"preset":"alg_none"}`}, {2, `{"preset":"hs256_public_key"}`}, {2, `{"preset":"bad_signature"}`},
		{2, `{"preset":"unknown_kid","kid":"nope"}`}, {2, `{"exp":"+9999999h"}`}, {2, `{"iat":9223372036854775807}`},
		{3, `{"id":"c1","secret":"s1","scopes":["openid"],"default_scopes":["openid"],"ttl":"5m"}`}, {3, `{"id":""}`},
		{4, `{"id":"K2x","secret":"sec","roles":["r"]}`}, {4, `{"id":"K2y","secret":"a:b"}`},
		{5, `{"endpoint":"jwks","status":500,"count":1}`}, {5, `{"endpoint":"keys","empty_keys":true}`},
		{5, `{"endpoint":"token","latency":"10ms","count":2}`}, {5, `{"endpoint":"nope","status":1000}`},
		{6, `{"max_age":60,"etag":true}`}, {6, `{"max_age":-1}`},
		{7, `{"now":"+1h","frozen":true}`}, {7, `{"now":1700000000}`}, {7, `{"now":"2030-01-01T00:00:00Z"}`},
		{8, `{"seconds":90}`}, {8, `{"by":"1h"}`}, {8, `{"seconds":1e300}`}, {8, `{"seconds":1,"by":"1s"}`},
		{9, ``}, {3, `{"id":"c1"} {"id":"c2"}`}, {3, `{"unknown":1}`}, {3, "\x00"},
	}
	for _, sd := range seeds {
		f.Add(uint8(sd.route), []byte(sd.body))
	}

	s := newFuzzServer(f, fuzzAdminToken)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := controlFuzzRoutes[int(route)%len(controlFuzzRoutes)]
		if rt.path == "/_mock/keys/rotate" && manyRotations(body) {
			t.Skip("more rotations than fixture keys generate RSA keys: too slow to fuzz (unit tests cover count limits)")
		}
		r := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+fuzzAdminToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		defer func() {
			if err := s.Reset(); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		}()

		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: got status %d (body %q), want no 5xx", rt.method, rt.path, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 300 {
			checkDescopeError(t, rec)
		}
	})
}

// manyRotations reports whether a rotate body asks for more rotations than
// the mock's keep window (12), beyond which fixture keys run out.
func manyRotations(body []byte) bool {
	var req struct {
		Count float64 `json:"count"`
	}
	return json.Unmarshal(body, &req) == nil && req.Count > 12
}
