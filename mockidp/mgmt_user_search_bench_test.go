package mockidp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// searchBenchServer is a mock holding n users and none of the project
// file's: user i has login ID and email user{i}@example.com, phone
// +1555{i}, the user role and tenant Acme (even i) or Globex (odd i).
func searchBenchServer(b *testing.B, n int) *mockidp.Server {
	b.Helper()
	p := mockidp.DefaultProject()
	p.Users = nil
	s, err := mockidp.New(mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	for i := range n {
		tenant := []string{acme, globex}[i%2]
		u := mockidp.User{LoginIDs: []string{fmt.Sprintf("user%05d@example.com", i)}, Email: fmt.Sprintf("user%05d@example.com", i),
			Phone: fmt.Sprintf("+1555%07d", i), Name: fmt.Sprintf("User %05d", i), Roles: []string{"user"},
			Tenants: []mockidp.UserTenant{{TenantID: tenant}}}
		if _, err := s.PutUser(u); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkUserSearch searches 2,000 and 20,000 users side by side (issue
// 19: linear in the users matched). The selective filters (one email,
// phone, user ID or login ID) go through the directory's indexes and should
// cost the same at both sizes; text and tenantIds look at every user; each
// answers at most the default page of 100 users.
func BenchmarkUserSearch(b *testing.B) {
	const target = 1234 // a user present at both sizes
	filters := []struct{ name, body string }{
		{"emails", fmt.Sprintf(`{"emails":["user%05d@example.com"]}`, target)},
		{"phones", fmt.Sprintf(`{"phones":["+1555%07d"]}`, target)},
		{"userIds", fmt.Sprintf(`{"userIds":[%q]}`, mockidp.DeriveUserID(fmt.Sprintf("user%05d@example.com", target)))},
		{"loginIds", fmt.Sprintf(`{"loginIds":["user%05d@example.com"]}`, target)},
		{"text", fmt.Sprintf(`{"text":"user%05d"}`, target)},
		{"tenantIds", `{"tenantIds":["` + acme + `"]}`},
		{"none", `{}`},
	}
	for _, n := range []int{2000, 20000} {
		s := searchBenchServer(b, n)
		for _, f := range filters {
			b.Run(fmt.Sprintf("filter=%s/users=%d", f.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r := httptest.NewRequest(http.MethodPost, "/v2/mgmt/user/search", strings.NewReader(f.body))
					r.Header.Set("Authorization", mgmt())
					rec := httptest.NewRecorder()
					s.ServeHTTP(rec, r)
					if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"total":`) {
						b.Fatalf("search %s: got %d %.200s", f.body, rec.Code, rec.Body.Bytes())
					}
				}
			})
		}
	}
}
