package mockidp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// expectLimit checks a refusal is a 4xx whose message names the limit.
func expectLimit(t *testing.T, what string, status int, body []byte, limit string) {
	t.Helper()
	if status < 400 || status > 499 {
		t.Errorf("%s: %d %s, want a 4xx naming the limit %s", what, status, body, limit)
		return
	}
	if msg := errorBody(t, status, body).Message; !strings.Contains(msg, limit) {
		t.Errorf("%s: message %q does not name the limit %s", what, msg, limit)
	}
}

// TestFaultsAreBounded: at most MaxFaults faults are in force; POST answers
// the fault it added, not the whole list.
func TestFaultsAreBounded(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for i := range mockidp.MaxFaults {
		rec := serve(s, http.MethodPost, "/_mock/faults", `{"endpoint":"license","status":500,"count":3}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("fault %d: %d %s", i+1, rec.Code, rec.Body)
		}
		var added mockidp.ActiveFault
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&added); err != nil || added.Endpoint != "license" || added.Remaining != 3 {
			t.Fatalf("fault %d: answer %v (%v), want the fault added", i+1, added, err)
		}
	}
	rec := serve(s, http.MethodPost, "/_mock/faults", `{"endpoint":"license","status":500}`)
	expectLimit(t, "one fault too many", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxFaults))
	if err := s.InjectFault(mockidp.Fault{Endpoint: "jwks", Status: 500}); err == nil {
		t.Error("InjectFault past the limit: got nil, want an error")
	}
	if n := len(s.Faults()); n != mockidp.MaxFaults {
		t.Errorf("%d faults in force, want %d", n, mockidp.MaxFaults)
	}
}

// TestClientsAndAccessKeysAreBounded: adding past MaxClients or
// MaxAccessKeys is refused naming the limit; replacing one is not.
func TestClientsAndAccessKeysAreBounded(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for i := len(s.Clients()); i < mockidp.MaxClients; i++ {
		if err := s.AddClient(mockidp.Client{ID: fmt.Sprintf("c-%d", i), Secret: "s"}); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	rec := serve(s, http.MethodPost, "/_mock/clients", `{"id":"one-too-many","secret":"s"}`)
	expectLimit(t, "one client too many", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxClients))
	if rec := serve(s, http.MethodPost, "/_mock/clients", `{"id":"admin-client","secret":"new"}`); rec.Code != http.StatusOK {
		t.Errorf("replacing a client at the limit: %d %s", rec.Code, rec.Body)
	}
	for i := len(s.AccessKeys()); i < mockidp.MaxAccessKeys; i++ {
		if err := s.AddAccessKey(mockidp.AccessKey{ID: fmt.Sprintf("K-%d", i), Secret: fmt.Sprintf("secret-%d", i)}); err != nil {
			t.Fatalf("access key %d: %v", i, err)
		}
	}
	rec = serve(s, http.MethodPost, "/_mock/access-keys", `{"id":"one-too-many","secret":"x"}`)
	expectLimit(t, "one access key too many", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxAccessKeys))
}

// TestUsersAreBounded: adding a user past MaxUsers, over the control plane
// or Descope's management API, is refused naming the limit; replacing one is
// not.
func TestUsersAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long (fills a store to its limit): make test-long runs it")
	}
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for i := len(s.Users()); i < mockidp.MaxUsers; i++ {
		if _, err := s.PutUser(mockidp.User{LoginIDs: []string{fmt.Sprintf("u%d@example.com", i)}}); err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
	}
	rec := serve(s, http.MethodPost, "/_mock/users", `{"login_ids":["one-too-many@example.com"]}`)
	expectLimit(t, "one user too many (control plane)", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxUsers))
	mgmt := "Bearer " + mockidp.DefaultProjectID + ":mock-management-key-secret"
	rec = serve(s, http.MethodPost, "/v1/mgmt/user/create/test", `{"loginId":"one-too-many@example.com"}`, "Authorization", mgmt)
	expectLimit(t, "one user too many (management API)", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxUsers))
	if rec := serve(s, http.MethodPost, "/_mock/users", fmt.Sprintf(`{"login_ids":["u%d@example.com"],"name":"Replaced"}`, mockidp.MaxUsers-1)); rec.Code != http.StatusOK {
		t.Errorf("replacing a user at the limit: %d %s", rec.Code, rec.Body)
	}
}

// TestClaimsAndTokensAreBounded: configured claims are at most
// MaxClaimsBytes encoded, and no token the mock issues exceeds
// MaxTokenBytes (32,768): a request that would is a 400 naming the limit.
func TestClaimsAndTokensAreBounded(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	big := strings.Repeat("x", mockidp.MaxClaimsBytes)
	rec := serve(s, http.MethodPost, "/_mock/clients", `{"id":"big","secret":"s","claims":{"blob":"`+big+`"}}`)
	expectLimit(t, "client claims", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxClaimsBytes))
	rec = serve(s, http.MethodPost, "/_mock/access-keys", `{"id":"big","secret":"big-secret","claims":{"blob":"`+big+`"}}`)
	expectLimit(t, "access key claims", rec.Code, rec.Body.Bytes(), fmt.Sprint(mockidp.MaxClaimsBytes))

	huge := strings.Repeat("y", mockidp.MaxTokenBytes)
	rec = serve(s, http.MethodPost, "/_mock/tokens", `{"claims":{"blob":"`+huge+`"}}`)
	expectLimit(t, "minted token", rec.Code, rec.Body.Bytes(), "32768")
	rec = serve(s, http.MethodPost, "/v1/auth/accesskey/exchange", `{"loginOptions":{"customClaims":{"blob":"`+huge+`"}}}`,
		"Authorization", "Bearer "+s.ProjectID()+":mock-access-key-secret")
	expectLimit(t, "exchanged token", rec.Code, rec.Body.Bytes(), "32768")
	if rec := serve(s, http.MethodPost, "/_mock/tokens", `{"claims":{"blob":"`+huge[:20000]+`"}}`); rec.Code != http.StatusOK {
		t.Errorf("a 27 KB token: %d, want 200", rec.Code)
	}
}

// TestProjectFileIsBounded: a project file over MaxProjectFileBytes, or one
// with more clients or access keys than the mock holds, stops loading naming
// the file and the limit.
func TestProjectFileIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("project_id: P2MockDescopeHarness00000001\n# "+strings.Repeat("z", mockidp.MaxProjectFileBytes)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := mockidp.LoadProject(big); err == nil || !strings.Contains(err.Error(), fmt.Sprint(mockidp.MaxProjectFileBytes)) || !strings.Contains(err.Error(), big) {
		t.Errorf("a %d-byte file: got %v, want an error naming the file and the limit", mockidp.MaxProjectFileBytes, err)
	}
	var b strings.Builder
	b.WriteString("clients:\n")
	for i := range mockidp.MaxClients + 1 {
		fmt.Fprintf(&b, "  - {id: c%d, secret: s}\n", i)
	}
	if _, err := mockidp.ParseProject("many.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "clients") || !strings.Contains(err.Error(), fmt.Sprint(mockidp.MaxClients)) {
		t.Errorf("%d clients: got %v, want an error naming clients and the limit", mockidp.MaxClients+1, err)
	}
}
