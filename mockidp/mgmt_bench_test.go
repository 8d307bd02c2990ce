package mockidp_test

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// BenchmarkRoleWriteAndRefreshVsRefresh measures issue 19's target: a
// management write (a role added or removed, alternately, through
// /v2/mgmt/user/update/role/add and /v1/.../remove) plus the user's next
// refresh, against a refresh alone, in the same loop (medians of wall and
// CPU time per op). Goal: beyond-refresh-ms at most 0.5.
func BenchmarkRoleWriteAndRefreshVsRefresh(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := sessionBenchServer(b, false)
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	refreshAuth := "Bearer " + mockidp.DefaultProjectID + ":" + pair.RefreshJWT
	mgmtAuth := "Bearer " + mockidp.DefaultProjectID + ":mock-management-key-secret"
	refresh := func() {
		serveJSON(b, s, http.MethodPost, "/v1/auth/refresh", refreshAuth, `{}`, nil)
	}
	add := true
	writeAndRefresh := func() {
		path := "/v2/mgmt/user/update/role/add"
		if !add {
			path = "/v1/mgmt/user/update/role/remove"
		}
		add = !add
		serveJSON(b, s, http.MethodPost, path, mgmtAuth, `{"loginId":"alice@example.com","roleNames":["viewer"]}`, nil)
		refresh()
	}
	var alone, both []opTime
	b.ReportAllocs()
	for b.Loop() {
		s.Advance(time.Second)
		alone = append(alone, timed(refresh))
		s.Advance(time.Second)
		both = append(both, timed(writeAndRefresh))
	}
	aloneWall, aloneCPU := medians(alone)
	bothWall, bothCPU := medians(both)
	b.ReportMetric(float64((bothWall-aloneWall).Microseconds())/1000, "beyond-refresh-ms")
	b.ReportMetric(float64((bothCPU-aloneCPU).Microseconds())/1000, "cpu-beyond-refresh-ms")
	b.ReportMetric(float64(aloneWall.Microseconds())/1000, "refresh-ms")
}
