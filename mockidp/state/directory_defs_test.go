package state

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The tenants' byte total is kept as tenants are created, updated and
// deleted (with and without cascade) and the project reset; after every
// step it equals a recount of every tenant, so the MaxTenantBytes check
// that reads it is the one a full recount would make.
func TestTenantBytesKeptAsTenantsChange(t *testing.T) {
	t.Parallel()
	st := newTestState(t, newTestClock())
	rng := rand.New(rand.NewPCG(1, 2))
	recount := func() int {
		n := 0
		for _, tn := range st.users.tenants {
			n += tenantBytes(&tn)
		}
		return n
	}
	check := func(step string) {
		t.Helper()
		st.users.mu.RLock()
		defer st.users.mu.RUnlock()
		if kept, want := st.users.tenantSize, recount(); kept != want {
			t.Fatalf("after %s: %d bytes kept, a recount gives %d", step, kept, want)
		}
	}
	check("the project's tenants")
	for i := range 600 {
		id := "t" + strconv.Itoa(rng.IntN(40))
		pad := strings.Repeat("x", rng.IntN(2000))
		tn := Tenant{ID: id, Name: "tenant " + id, CustomAttributes: map[string]any{"pad": pad}}
		if rng.IntN(2) == 0 {
			tn.SelfProvisioningDomains = []string{id + ".example.com"}
		}
		var step string
		switch rng.IntN(4) {
		case 0, 1:
			step, _ = "create "+id, st.CreateTenant(tn)
		case 2:
			step, _ = "update "+id, st.UpdateTenant(tn)
		default:
			_, _ = st.DeleteTenant(id, rng.IntN(2) == 0)
			step = "delete " + id
		}
		check(strconv.Itoa(i) + ": " + step)
		if i == 300 {
			st.Reset()
			check("reset")
		}
	}
}
