package mockidp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// Issue 16, defect 6: limits count bytes, not only objects. A user, a
// session's custom claims and the login page are each bounded, and each
// refusal names its limit.
func TestBytesPerObjectAreBounded(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
	}
	many, _ := json.Marshal(map[string]any{"loginId": "many@example.com", "additionalLoginIds": ids})
	big, _ := json.Marshal(map[string]any{"loginId": "big@example.com", "customAttributes": map[string]string{"blob": strings.Repeat("x", 60<<10)}})
	for _, tc := range []struct {
		name, path, auth, body string
		wantStatus             int
		wantCode, wantMessage  string
	}{
		{"5,000 login IDs", "/v1/mgmt/user/create", mgmt(), string(many), 400, mockidp.CodeInvalidArgument, "MaxUserLoginIDs"},
		{"60 KB of custom attributes", "/v1/mgmt/user/create", mgmt(), string(big), 400, mockidp.CodeInvalidArgument, "MaxUserBytes"},
		{"20 KB of custom claims", "/_mock/sessions", "", `{"user":"alice@example.com","custom_claims":{"c":"` + strings.Repeat("x", 20<<10) + `"}}`,
			400, mockidp.CodeMockBadRequest, "MaxClaimsBytes"},
		{"20 KB of code custom claims", "/v1/mgmt/tests/generate/otp", mgmt(),
			`{"loginId":"test-user@example.com","deliveryMethod":"email","loginOptions":{"customClaims":{"c":"` + strings.Repeat("x", 20<<10) + `"}}}`,
			400, mockidp.CodeInvalidArgument, "MaxClaimsBytes"},
	} {
		e := s.refused(s.do(http.MethodPost, tc.path, tc.auth, tc.body), tc.wantStatus, tc.wantCode)
		if !strings.Contains(e.Message, tc.wantMessage) {
			t.Errorf("%s: message %q does not name %s", tc.name, e.Message, tc.wantMessage)
		}
	}
	if _, err := s.PutUser(mockidp.User{LoginIDs: ids}); err == nil || !strings.Contains(err.Error(), "MaxUserLoginIDs") {
		t.Errorf("PutUser with 5,000 login IDs: got %v, want a refusal naming MaxUserLoginIDs", err)
	}
}

// The login page lists at most MaxLoginPageUsers users, names cut short,
// whatever the directory holds (it rendered every user: 24 MB per GET with
// 400 large ones).
func TestLoginPageIsBounded(t *testing.T) {
	t.Parallel()
	s := newOIDCServer(t, false)
	for i := range 400 {
		u := mockidp.User{LoginIDs: []string{fmt.Sprintf("user%03d-%s@example.com", i, strings.Repeat("l", 200))}, Name: strings.Repeat("N", 4000)}
		if _, err := s.PutUser(u); err != nil {
			t.Fatal(err)
		}
	}
	rec := s.do(http.MethodGet, "/oauth2/v1/authorize?client_id=web-app&response_type=code&scope=openid&redirect_uri="+appCallback, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("login page: %d", rec.Code)
	}
	body := rec.Body.String()
	if n := strings.Count(body, `name="mockidp_login"`); n != mockidp.MaxLoginPageUsers {
		t.Errorf("the page lists %d users, want %d", n, mockidp.MaxLoginPageUsers)
	}
	if !strings.Contains(body, `id="more-users"`) {
		t.Error("the page does not say that more users exist")
	}
	if len(body) > 160<<10 {
		t.Errorf("the login page is %d bytes, want at most %d", len(body), 160<<10)
	}
}
