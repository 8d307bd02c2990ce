package mockidp_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/wire"
)

type createdKey struct {
	Key       wire.AccessKeyResponse
	Cleartext string
}

func (s sessionServer) createKey(body string) createdKey {
	s.t.Helper()
	var out createdKey
	s.ok(s.do("POST", "/v1/mgmt/accesskey/create", mgmt(), body), &out)
	return out
}

// exchange trades a cleartext key for a session JWT and returns its claims.
func (s sessionServer) exchangeKey(cleartext, body string) (map[string]any, *http.Response) {
	s.t.Helper()
	rec := s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+cleartext, body)
	if rec.Code != http.StatusOK {
		return nil, rec.Result()
	}
	var er mockidp.ExchangeResponse
	s.ok(rec, &er)
	return claimsOf(s.t, er.SessionJWT), rec.Result()
}

// A key created through the management API answers its cleartext once,
// exchanges as the project file's keys do, and follows its management:
// update, deactivate, activate, delete.
func TestManagedAccessKeyLifecycle(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	k := s.createKey(`{"name":"customer-1","expireTime":0,"roleNames":["viewer"],"keyTenants":[{"tenantId":"` + acme + `","roleNames":["tenant-admin"]}],
		"userId":"","customClaims":{"customer":"c1"},"description":"For c1","permittedIps":null,"customAttributes":{"plan":"pro"}}`)
	if !strings.HasPrefix(k.Key.ID, "K") || len(k.Key.ID) != 28 || len(k.Cleartext) < 32 || k.Key.Status != "active" ||
		k.Key.Description != "For c1" || len(k.Key.KeyTenants) != 1 || k.Key.KeyTenants[0].TenantName != "Acme" {
		t.Fatalf("create answered %+v", k)
	}
	c, _ := s.exchangeKey(k.Cleartext, "")
	if c == nil || c["sub"] != k.Key.ID || c["customer"] != "c1" || !slices.Equal(strs(c["roles"]), []string{"viewer"}) ||
		!slices.Equal(strs(c["permissions"]), []string{"data.read"}) {
		t.Fatalf("exchanged claims %v", c)
	}
	if ts, _ := c["tenants"].(map[string]any); ts[acme] == nil {
		t.Errorf("exchanged tenants %v, want %s", c["tenants"], acme)
	}
	c, _ = s.exchangeKey(k.Cleartext, `{"loginOptions":{"selectedTenant":"`+acme+`","customClaims":{"extra":1}}}`)
	if c == nil || c["dct"] != acme || fmt.Sprint(c["extra"]) != "1" {
		t.Errorf("exchange with loginOptions: %v", c)
	}

	var loaded struct{ Key wire.AccessKeyResponse }
	s.ok(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), ""), &loaded)
	if loaded.Key.ID != k.Key.ID || strings.Contains(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), "").Body.String(), k.Cleartext) {
		t.Errorf("load: %+v (and never the cleartext)", loaded.Key)
	}

	var updated struct{ Key wire.AccessKeyResponse }
	s.ok(s.do("POST", "/v1/mgmt/accesskey/update", mgmt(), `{"id":"`+k.Key.ID+`","name":"customer-1b","roleNames":["admin"]}`), &updated)
	if updated.Key.Name != "customer-1b" || !slices.Equal(updated.Key.RoleNames, []string{"admin"}) || updated.Key.Description != "For c1" {
		t.Errorf("update: %+v", updated.Key)
	}
	if c, _ := s.exchangeKey(k.Cleartext, ""); c == nil || !slices.Contains(strs(c["permissions"]), "users.delete") {
		t.Errorf("after update: claims %v, want admin's permissions", c)
	}

	s.ok(s.do("POST", "/v1/mgmt/accesskey/deactivate", mgmt(), `{"id":"`+k.Key.ID+`"}`), nil)
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	s.ok(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), ""), &loaded)
	if loaded.Key.Status != "inactive" {
		t.Errorf("after deactivate: status %q", loaded.Key.Status)
	}
	s.ok(s.do("POST", "/v1/mgmt/accesskey/activate", mgmt(), `{"id":"`+k.Key.ID+`"}`), nil)
	if c, _ := s.exchangeKey(k.Cleartext, ""); c == nil {
		t.Error("after activate: the exchange is refused")
	}
	s.ok(s.do("POST", "/v1/mgmt/accesskey/delete", mgmt(), `{"id":"`+k.Key.ID+`"}`), nil)
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	s.refused(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), ""), http.StatusBadRequest, mockidp.CodeInvalidArgument)
}

// Expiry on the mock's clock and permitted IPs are enforced at the exchange.
func TestManagedAccessKeyExpiryAndIPs(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	exp := s.Now().Unix() + 60
	k := s.createKey(`{"name":"short","expireTime":` + itoa(exp) + `}`)
	if c, _ := s.exchangeKey(k.Cleartext, ""); c == nil {
		t.Fatal("a fresh key's exchange is refused")
	}
	if err := s.Advance(61e9); err != nil {
		t.Fatal(err)
	}
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)

	// httptest requests come from 192.0.2.1.
	in := s.createKey(`{"name":"office","permittedIps":["192.0.2.0/24"]}`)
	out := s.createKey(`{"name":"elsewhere","permittedIps":["10.0.0.1"]}`)
	if c, _ := s.exchangeKey(in.Cleartext, ""); c == nil {
		t.Error("a permitted IP's exchange is refused")
	}
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+out.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
}

func TestManagedAccessKeySearch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.createKey(`{"name":"a","keyTenants":[{"tenantId":"` + acme + `"}],"customAttributes":{"plan":"pro"}}`)
	s.createKey(`{"name":"b","userId":"U2MockUserAlice0000000000001"}`)
	search := func(body string) []string {
		t.Helper()
		var out struct{ Keys []wire.AccessKeyResponse }
		s.ok(s.do("POST", "/v1/mgmt/accesskey/search", mgmt(), body), &out)
		var names []string
		for _, k := range out.Keys {
			names = append(names, k.Name)
		}
		slices.Sort(names)
		return names
	}
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{}`, []string{"a", "b"}},
		{`{"tenantIds":["` + acme + `"]}`, []string{"a"}},
		{`{"boundUserId":"U2MockUserAlice0000000000001"}`, []string{"b"}},
		{`{"customAttributes":{"plan":"pro"}}`, []string{"a"}},
		{`{"creatingUser":"U2MockUserAdmin0000000000002"}`, nil},
	} {
		if got := search(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("search %s: %v, want %v", tc.body, got, tc.want)
		}
	}
	s.refused(s.do("POST", "/v1/mgmt/accesskey/search", mgmt(), `{"sort":[{"field":"name"}]}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/mgmt/accesskey/search", mgmt(), `{"status":"active"}`), http.StatusBadRequest, mockidp.CodeBadRequest)
}

func TestManagedAccessKeysBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"no name", "/v1/mgmt/accesskey/create", `{}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"unknown role", "/v1/mgmt/accesskey/create", `{"name":"x","roleNames":["root"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"unknown tenant", "/v1/mgmt/accesskey/create", `{"name":"x","keyTenants":[{"tenantId":"T-nope"}]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"unknown user", "/v1/mgmt/accesskey/create", `{"name":"x","userId":"U-nope"}`, http.StatusBadRequest, mockidp.CodeMgmtUserNotFound},
		{"past expiry", "/v1/mgmt/accesskey/create", `{"name":"x","expireTime":1}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"reserved claim", "/v1/mgmt/accesskey/create", `{"name":"x","customClaims":{"sub":"me"}}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"bad ip", "/v1/mgmt/accesskey/create", `{"name":"x","permittedIps":["300.1.1.1"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update unknown", "/v1/mgmt/accesskey/update", `{"id":"K-nope","name":"x"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update no id", "/v1/mgmt/accesskey/update", `{"name":"x"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"deactivate unknown", "/v1/mgmt/accesskey/deactivate", `{"id":"K-nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"delete no id", "/v1/mgmt/accesskey/delete", `{}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"wrong type", "/v1/mgmt/accesskey/create", `{"name":"x","expireTime":"soon"}`, http.StatusBadRequest, mockidp.CodeBadRequest},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) { sessionServer{t, s.Server}.refused(rec, tc.status, tc.code) })
	}
	// The project file's key still exchanges; a reset forgets managed keys.
	k := s.createKey(`{"name":"gone"}`)
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	if c, _ := s.exchangeKey("mock-access-key-secret", ""); c == nil {
		t.Error("the project file's key no longer exchanges")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
