package mockidp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// Users of the search benchmark: every rareEvery-th user (20 of them at
// either size, all below 2,000) is the one the selective filters find: it
// is a member of tenant benchRare with its role benchRareAdmin, holds the
// project role benchRareRole, is disabled, has custom attribute plan
// "rare", the name "Needle …", and was created (and last modified) at
// benchRareTime; every other user is enabled, plan "common", of tenant Acme
// or Globex with role user, named "User …", created after it, ten users a
// second.
const (
	benchRare      = "T2BenchRare00000000000000001"
	benchRareRole  = "rare-role"
	benchRareAdmin = "rare-admin"
	rareEvery      = 100
	benchMatched   = 20
)

var benchRareTime = time.Unix(1_800_000_000, 0)

// searchBenchServer is a mock holding n users (see above) and none of the
// project file's.
func searchBenchServer(b *testing.B, n int) *mockidp.Server {
	b.Helper()
	p := mockidp.DefaultProject()
	p.Users = nil
	p.Tenants = append(p.Tenants, mockidp.Tenant{ID: benchRare, Name: "Rare"})
	p.Roles = append(p.Roles, mockidp.Role{Name: benchRareRole}, mockidp.Role{Name: benchRareAdmin, TenantID: benchRare})
	now := benchRareTime
	s, err := mockidp.New(mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test", Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	for i := range n {
		login := fmt.Sprintf("user%05d@example.com", i)
		u := mockidp.User{LoginIDs: []string{login}, Email: login, Phone: fmt.Sprintf("+1555%07d", i), Name: fmt.Sprintf("User %05d", i),
			Roles: []string{"user"}, Tenants: []mockidp.UserTenant{{TenantID: []string{acme, globex}[i%2]}},
			CustomAttributes: map[string]any{"plan": "common"}}
		now = benchRareTime.Add(time.Hour + time.Duration(i/10)*time.Second)
		if i%rareEvery == 0 && i < rareEvery*benchMatched {
			u.Name, u.Disabled, u.CustomAttributes["plan"] = fmt.Sprintf("Needle %05d", i), true, "rare"
			u.Roles = append(u.Roles, benchRareRole)
			u.Tenants = append(u.Tenants, mockidp.UserTenant{TenantID: benchRare, Roles: []string{benchRareAdmin}})
			now = benchRareTime
		}
		if _, err := s.PutUser(u); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// rareList is a JSON list of the rare users' values of a field.
func rareList(value func(i int) string) string {
	var out []string
	for k := range benchMatched {
		out = append(out, strconv.Quote(value(k*rareEvery)))
	}
	return "[" + strings.Join(out, ",") + "]"
}

// BenchmarkUserSearch searches 2,000 and 20,000 users side by side (issue
// 19: the answer time is linear in the users matched). Each op sends the
// same search to a mock of each size, alternating, and times each on its
// thread's CPU clock, which the machine's other work does not inflate:
// small-cpu-ns/op and large-cpu-ns/op, and large/small, their ratio. Every
// filter kind but the last two matches the same 20 users at both sizes
// (checked before timing) and goes through the directory's indexes, so its
// ratio should be near 1. text of fewer than three characters has no
// trigram and looks at every user, and no filter matches (and sorts) every
// user: their ratios are near 10.
func BenchmarkUserSearch(b *testing.B) {
	ms := benchRareTime.UnixMilli()
	filters := []struct {
		name, body string
		matched    int // -1: not the same at both sizes
	}{
		{"emails", `{"emails":` + rareList(func(i int) string { return fmt.Sprintf("user%05d@example.com", i) }) + `}`, benchMatched},
		{"phones", `{"phones":` + rareList(func(i int) string { return fmt.Sprintf("+1555%07d", i) }) + `}`, benchMatched},
		{"userIds", `{"userIds":` + rareList(func(i int) string { return mockidp.DeriveUserID(fmt.Sprintf("user%05d@example.com", i)) }) + `}`, benchMatched},
		{"loginIds", `{"loginIds":` + rareList(func(i int) string { return fmt.Sprintf("user%05d@example.com", i) }) + `}`, benchMatched},
		{"text", `{"text":"needle"}`, benchMatched},
		{"tenantIds", `{"tenantIds":["` + benchRare + `"]}`, benchMatched},
		{"roleNames", `{"roleNames":["` + benchRareRole + `"]}`, benchMatched},
		{"tenantRoleNames", `{"tenantRoleNames":{"` + benchRare + `":{"values":["` + benchRareAdmin + `"]}}}`, benchMatched},
		{"statuses", `{"statuses":["disabled"]}`, benchMatched},
		{"customAttributes", `{"customAttributes":{"plan":"rare"}}`, benchMatched},
		{"createdTime", fmt.Sprintf(`{"fromCreatedTime":%d,"toCreatedTime":%d}`, ms-1000, ms+1000), benchMatched},
		{"modifiedTime", fmt.Sprintf(`{"fromModifiedTime":%d,"toModifiedTime":%d}`, ms-1000, ms+1000), benchMatched},
		{"text-2-chars", `{"text":"ee"}`, -1},
		{"none", `{}`, -1},
	}
	small, large := searchBenchServer(b, 2000), searchBenchServer(b, 20000)
	for _, f := range filters {
		b.Run("filter="+f.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			search := func(s *mockidp.Server) (time.Duration, int) {
				r := httptest.NewRequest(http.MethodPost, "/v2/mgmt/user/search", strings.NewReader(f.body))
				r.Header.Set("Authorization", mgmt())
				rec := httptest.NewRecorder()
				start := threadCPU()
				s.ServeHTTP(rec, r)
				took := threadCPU() - start
				var answer struct{ Total int }
				if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &answer) != nil {
					b.Fatalf("search %s: got %d %.200s", f.body, rec.Code, rec.Body.Bytes())
				}
				return took, answer.Total
			}
			if f.matched >= 0 {
				for _, s := range []*mockidp.Server{small, large} {
					if _, total := search(s); total != f.matched {
						b.Fatalf("search %s matched %d users, want %d", f.body, total, f.matched)
					}
				}
			}
			var smallCPU, largeCPU time.Duration
			b.ReportAllocs()
			for b.Loop() {
				took, _ := search(small)
				smallCPU += took
				took, _ = search(large)
				largeCPU += took
			}
			b.ReportMetric(float64(smallCPU)/float64(b.N), "small-cpu-ns/op")
			b.ReportMetric(float64(largeCPU)/float64(b.N), "large-cpu-ns/op")
			b.ReportMetric(float64(largeCPU)/float64(smallCPU), "large/small")
		})
	}
}
