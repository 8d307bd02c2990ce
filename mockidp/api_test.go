package mockidp_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// newServer builds a Server with fixture keys, closed when the test ends.
func newServer(t *testing.T, cfg mockidp.Config) *mockidp.Server {
	t.Helper()
	if cfg.KeyPEM == nil {
		cfg.KeyPEM = fixtures.KeyPEMs()
	}
	s, err := mockidp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// wantMockError checks err is a *mockidp.Error with the status and code.
func wantMockError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var e *mockidp.Error
	if !errors.As(err, &e) {
		t.Fatalf("error: got %T %v, want *mockidp.Error %d %s", err, err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Errorf("error: got %d %s, want %d %s", e.Status, e.Code, status, code)
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	bad := mockidp.DefaultProject()
	bad.IssuerForm = "nope"
	tests := []struct {
		name    string
		cfg     mockidp.Config
		wantErr bool
	}{
		{name: "zero config with fixture keys", cfg: mockidp.Config{KeyPEM: fixtures.KeyPEMs()}},
		{name: "invalid project", cfg: mockidp.Config{Project: bad, KeyPEM: fixtures.KeyPEMs()}, wantErr: true},
		{name: "public URL with a path", cfg: mockidp.Config{PublicURL: "http://h/x", KeyPEM: fixtures.KeyPEMs()}, wantErr: true},
		{name: "key that is not PEM", cfg: mockidp.Config{KeyPEM: [][]byte{[]byte("nope")}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := mockidp.New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New: got error %v, want error %v", err, tt.wantErr)
			}
			if s != nil {
				s.Close()
			}
		})
	}
	t.Run("caller's project is not mutated", func(t *testing.T) {
		t.Parallel()
		p := mockidp.DefaultProject()
		s := newServer(t, mockidp.Config{Project: p})
		if err := s.RemoveClient("admin-client"); err != nil {
			t.Fatal(err)
		}
		if len(p.Clients) != 4 {
			t.Errorf("project clients: got %d, want 4", len(p.Clients))
		}
	})
	t.Run("shared registerer refuses a second server", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		newServer(t, mockidp.Config{Registerer: reg})
		if s, err := mockidp.New(mockidp.Config{Registerer: reg, KeyPEM: fixtures.KeyPEMs()}); err == nil {
			s.Close()
			t.Errorf("second New on the same registry: got nil error, want a duplicate registration error")
		}
	})
}

func TestKeysAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	first := s.KeysState().Current
	if got := s.Keys().Current().ID; got != first {
		t.Errorf("Keys().Current: got %s, want %s", got, first)
	}
	for _, n := range []int{0, -1, 1001} {
		wantMockError(t, s.RotateKeys(n), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	}
	if err := s.RotateKeys(3); err != nil {
		t.Fatal(err)
	}
	st := s.KeysState()
	if len(st.Published) != 4 || st.Published[3] != first || st.Rotations != 3 {
		t.Errorf("after 3 rotations: got %+v, want 4 published ending in %s, 3 rotations", st, first)
	}
	wantMockError(t, s.RevokeKey("SKnope"), http.StatusNotFound, mockidp.CodeMockNotFound)
	if err := s.RevokeKey(first); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Keys().Lookup(first); ok {
		t.Errorf("revoked kid %s: still published", first)
	}
	if got := s.KeysState().Revoked; len(got) != 1 || got[0] != first {
		t.Errorf("Revoked: got %v, want [%s]", got, first)
	}
}

func TestMintAndClientTokenAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{PublicURL: "http://idp.test"})
	s.SetClock(time.Unix(s.Now().Unix(), 0), true)

	tok, err := s.ClientToken("tenant-client", "")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := s.VerifyToken(tok)
	if err != nil {
		t.Fatalf("VerifyToken(ClientToken): %v", err)
	}
	if claims["iss"] != "http://idp.test/"+mockidp.DefaultProjectID || claims["dct"] != "T2MockTenantAcme000000000001" {
		t.Errorf("claims: got iss %v dct %v, want the public URL issuer and the Acme tenant", claims["iss"], claims["dct"])
	}
	tok, err = s.ClientToken("admin-client", "http://other:1")
	if err != nil {
		t.Fatal(err)
	}
	if claims, _ := s.VerifyToken(tok); claims["iss"] != "http://other:1/"+mockidp.DefaultProjectID {
		t.Errorf("iss with an explicit base: got %v", claims["iss"])
	}
	_, err = s.ClientToken("ghost", "")
	wantMockError(t, err, http.StatusNotFound, mockidp.CodeMockNotFound)

	resp, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client", Expiry: mockidp.Offset(time.Minute), IssuedAt: mockidp.At(s.Now().Add(-time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	claims, err = s.VerifyToken(resp.Token)
	if err != nil {
		t.Fatalf("VerifyToken(Mint): %v", err)
	}
	if got, want := claims["exp"], s.Now().Add(time.Minute).Unix(); got != jsonNum(want) {
		t.Errorf("exp: got %v, want %d", got, want)
	}
	if got, want := claims["iat"], s.Now().Unix()-1; got != jsonNum(want) {
		t.Errorf("iat: got %v, want %d", got, want)
	}
	_, err = s.Mint(mockidp.MintRequest{Preset: "nope"})
	wantMockError(t, err, http.StatusBadRequest, mockidp.CodeMockBadRequest)

	for _, preset := range mockidp.Presets {
		resp, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client", Preset: preset})
		if err != nil {
			t.Fatalf("preset %s: %v", preset, err)
		}
		// VerifyToken (userinfo's check) looks at the signature, kid, exp
		// and nbf only, as documented: iss and aud are the API's business.
		_, err = s.VerifyToken(resp.Token)
		wantOK := preset == mockidp.PresetWrongIssuer || preset == mockidp.PresetWrongAudience
		if (err == nil) != wantOK {
			t.Errorf("VerifyToken(preset %s): got error %v, want accepted %v", preset, err, wantOK)
		}
	}
}

func TestClientsAndAccessKeysAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	if err := s.AddClient(mockidp.Client{ID: "svc", Secret: "x", Scopes: []string{"jobs.run"}}); err != nil {
		t.Fatal(err)
	}
	wantMockError(t, s.AddClient(mockidp.Client{ID: "no-secret"}), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	if got := len(s.Clients()); got != 5 {
		t.Errorf("Clients: got %d, want 5", got)
	}
	if d := s.DiscoveryDocument(mockidp.IssuerURL, "http://b"); !containsString(d.ScopesSupported, "jobs.run") {
		t.Errorf("scopes_supported: got %v, want jobs.run listed", d.ScopesSupported)
	}
	if err := s.RemoveClient("svc"); err != nil {
		t.Fatal(err)
	}
	wantMockError(t, s.RemoveClient("svc"), http.StatusNotFound, mockidp.CodeMockNotFound)

	if err := s.AddAccessKey(mockidp.AccessKey{ID: "K2Two", Secret: "two"}); err != nil {
		t.Fatal(err)
	}
	wantMockError(t, s.AddAccessKey(mockidp.AccessKey{ID: "K2Three", Secret: "two"}), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	if err := s.AddAccessKey(mockidp.AccessKey{ID: "K2Two", Secret: "two-rotated"}); err != nil {
		t.Errorf("replacing a key's own secret: %v", err)
	}
	if got := s.AccessKeys(); len(got) != 2 || got[1].ID != "K2Two" {
		t.Errorf("AccessKeys: got %+v, want 2 sorted", got)
	}
	if err := s.RemoveAccessKey("K2Two"); err != nil {
		t.Fatal(err)
	}
	wantMockError(t, s.RemoveAccessKey("K2Two"), http.StatusNotFound, mockidp.CodeMockNotFound)
}

func TestFaultsCacheAndRequestsAPI(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	wantMockError(t, m.InjectFault(mockidp.Fault{Endpoint: "nope", Status: 500}), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	if err := m.InjectFault(mockidp.Fault{Endpoint: "keys", Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if err := m.InjectFault(mockidp.Fault{Endpoint: "license", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if got := m.Faults(); len(got) != 2 || got[0].Endpoint != mockidp.EndpointJWKS {
		t.Errorf("Faults: got %+v", got)
	}
	m.ClearFaults("keys")
	if got := m.Faults(); len(got) != 1 || got[0].Endpoint != mockidp.EndpointLicense {
		t.Errorf("after ClearFaults(keys): got %+v, want the license fault", got)
	}
	m.ClearFaults("")
	if got := m.Faults(); len(got) != 0 {
		t.Errorf("after ClearFaults(\"\"): got %+v", got)
	}

	wantMockError(t, m.SetJWKSCache(mockidp.JWKSCache{MaxAge: -5}), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	want := mockidp.JWKSCache{MaxAge: 5, ETag: true}
	if err := m.SetJWKSCache(want); err != nil {
		t.Fatal(err)
	}
	if got := m.JWKSCacheSettings(); got != want {
		t.Errorf("JWKSCacheSettings: got %+v, want %+v", got, want)
	}

	resp, err := m.Client().Get(m.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := m.RequestCount(mockidp.EndpointJWKS); got != 1 {
		t.Errorf("RequestCount(jwks): got %d, want 1", got)
	}
	if got := m.Requests().Recent[mockidp.EndpointJWKS]; len(got) != 1 || got[0].Method != http.MethodGet {
		t.Errorf("Requests: got %+v", got)
	}
	m.ClearRequests()
	if got := m.RequestCount(mockidp.EndpointJWKS); got != 0 {
		t.Errorf("after ClearRequests: got %d, want 0", got)
	}
}

func TestClockAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	at := s.Now().Add(time.Minute).Truncate(time.Second)
	s.SetClock(at, true)
	if got := s.Now(); !got.Equal(at) {
		t.Errorf("Now after SetClock: got %v, want %v", got, at)
	}
	s.Advance(time.Hour)
	if got := s.Clock().Now(); !got.Equal(at.Add(time.Hour)) {
		t.Errorf("Now after Advance: got %v, want %v", got, at.Add(time.Hour))
	}
	s.Clock().Freeze()
	s.Advance(-2 * time.Hour)
	if got := s.Now(); !got.Equal(at.Add(-time.Hour)) {
		t.Errorf("Now after Advance(-2h): got %v, want %v", got, at.Add(-time.Hour))
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, frozen, offset := s.Clock().State(); frozen || offset != 0 {
		t.Errorf("after Reset: got frozen %v offset %v, want running with no offset", frozen, offset)
	}
}

// TestClockWithInjectedBase drives a Clock from an injected base clock.
func TestClockWithInjectedBase(t *testing.T) {
	t.Parallel()
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := base
	c := mockidp.NewClock(func() time.Time { return now })
	now = now.Add(time.Second)
	if got := c.Now(); !got.Equal(base.Add(time.Second)) {
		t.Errorf("running: got %v, want %v", got, base.Add(time.Second))
	}
	c.Set(base, true)
	now = now.Add(time.Hour)
	if got := c.Now(); !got.Equal(base) {
		t.Errorf("frozen: got %v, want %v", got, base)
	}
	c.Set(base, false)
	now = now.Add(time.Minute)
	if got := c.Now(); !got.Equal(base.Add(time.Minute)) {
		t.Errorf("running from a set time: got %v, want %v", got, base.Add(time.Minute))
	}
}

// TestServeHTTPNeverPanics sends odd requests straight to ServeHTTP.
func TestServeHTTPNeverPanics(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	paths := []string{"/", "//", "///v2//keys//" + mockidp.DefaultProjectID, "/_mock", "/_mock/", "/_mock/clients/", "/oauth2/v1/apps//token",
		"/%zz", "/" + strings.Repeat("a/", 500), "/v1/keys/" + strings.Repeat("x", 5000)}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions, "BREW"}
	for _, p := range paths {
		for _, method := range methods {
			rec := serve(s, method, p, "", "Content-Type", "application/json")
			if rec.Code >= 500 {
				t.Errorf("%s %s: got %d, want a non-5xx answer", method, p, rec.Code)
			}
		}
	}
}

// jsonNum is n as VerifyToken reports numbers.
func jsonNum(n int64) any { return json.Number(strconv.FormatInt(n, 10)) }

// serve sends one request straight to ServeHTTP; path is set raw, so it
// may hold what a URL parser would refuse. A body is sent as
// application/json unless headers name another Content-Type.
func serve(s *mockidp.Server, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	if body != "" && !slices.ContainsFunc(headers, func(h string) bool { return strings.EqualFold(h, "Content-Type") }) {
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	return serveRaw(s, method, path, body, headers...)
}

// serveRaw is serve with exactly the headers given.
func serveRaw(s *mockidp.Server, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL.Path = path
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
