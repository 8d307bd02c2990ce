package mockidp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

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
// 19: the answer time is linear in the users matched). Each op sends the
// same search to a mock of each size, alternating, and times each on its
// thread's CPU clock, which the machine's other work does not inflate:
// small-cpu-ns/op and large-cpu-ns/op, and large/small, their ratio. The
// selective filters (one email, phone, user ID or login ID) go through the
// directory's indexes and should cost the same at both sizes (ratio near
// 1); text and tenantIds look at every user (ratio near 10); every answer
// holds at most the default page of 100 users.
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
	small, large := searchBenchServer(b, 2000), searchBenchServer(b, 20000)
	for _, f := range filters {
		b.Run("filter="+f.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			search := func(s *mockidp.Server) time.Duration {
				r := httptest.NewRequest(http.MethodPost, "/v2/mgmt/user/search", strings.NewReader(f.body))
				r.Header.Set("Authorization", mgmt())
				rec := httptest.NewRecorder()
				start := threadCPU()
				s.ServeHTTP(rec, r)
				took := threadCPU() - start
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"total":`) {
					b.Fatalf("search %s: got %d %.200s", f.body, rec.Code, rec.Body.Bytes())
				}
				return took
			}
			var smallCPU, largeCPU time.Duration
			b.ReportAllocs()
			for b.Loop() {
				smallCPU += search(small)
				largeCPU += search(large)
			}
			b.ReportMetric(float64(smallCPU)/float64(b.N), "small-cpu-ns/op")
			b.ReportMetric(float64(largeCPU)/float64(b.N), "large-cpu-ns/op")
			b.ReportMetric(float64(largeCPU)/float64(smallCPU), "large/small")
		})
	}
}
