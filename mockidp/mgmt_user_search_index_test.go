package mockidp

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// The user search's indexes (state/users_index.go) against the reference
// search that looks at every user: after random writes of every kind that
// changes a user (create, replace, status and custom attribute changes,
// deletion, test-user deletion, role rename and deletion, tenant deletion
// with and without cascade, a reset, the clock moving either way), random
// searches combining random filters find exactly the users the full scan
// finds, and the indexes equal ones rebuilt from the users.

// indexWorld is a state with a few roles and tenants, written to and
// searched at random.
type indexWorld struct {
	st    *state.State
	mu    sync.Mutex // guards now and the random source's use of it
	now   time.Time
	names []string
}

func newIndexWorld(t testing.TB) *indexWorld {
	t.Helper()
	w := &indexWorld{now: time.Unix(1_800_000_000, 0),
		names: []string{"Ann Lee", "Bob Stone", "ÇELIK Ünal", "an", "Zoë", "", "Anne-Marie Annan"}}
	p := &Project{ID: "P2MockIndex", Directory: Directory{
		Sessions: SessionSettings{TestUserLimit: 20},
		Roles: []Role{{Name: "admin"}, {Name: "viewer"}, {Name: "editor"},
			{Name: "viewer", TenantID: "t1"}, {Name: "owner", TenantID: "t2"}},
		Tenants: []Tenant{{ID: "t1", Name: "One"}, {ID: "t2", Name: "Two"}, {ID: "t3", Name: "Three"}},
		// The project file's users, which a reset loads, in no order of time.
		Users: []User{
			{ID: "Ufilea", LoginIDs: []string{"file-a"}, Name: "Ann File", Roles: []string{"admin"}, CreatedTime: 1_799_999_300, ModifiedTime: 1_799_999_900},
			{ID: "Ufileb", LoginIDs: []string{"file-b"}, Tenants: []UserTenant{{TenantID: "t1", Roles: []string{"viewer"}}}, CreatedTime: 1_799_999_100, ModifiedTime: 1_799_999_100},
			{ID: "Ufilec", LoginIDs: []string{"file-c"}, Test: true, CustomAttributes: map[string]any{"plan": "pro"}, CreatedTime: 1_799_999_200},
		},
	}}
	w.st = state.New(state.Config{Project: p, Now: w.clock})
	return w
}

func (w *indexWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *indexWorld) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func some[T any](r *rand.Rand, list []T) []T {
	var out []T
	for _, v := range list {
		if r.IntN(3) == 0 {
			out = append(out, v)
		}
	}
	return out
}

// randomUser is a valid user of the world's current roles and tenants.
func (w *indexWorld) randomUser(r *rand.Rand) User {
	n := r.IntN(60)
	login := fmt.Sprintf("user%02d@Example.com", n)
	u := User{LoginIDs: []string{login}, Name: pick(r, w.names), Test: r.IntN(8) == 0, Disabled: r.IntN(4) == 0}
	if r.IntN(2) == 0 {
		u.LoginIDs = append(u.LoginIDs, fmt.Sprintf("alias-%d", n))
	}
	if r.IntN(4) != 0 {
		u.Email = pick(r, []string{login, strings.ToUpper(login), fmt.Sprintf("shared%d@example.com", n%3)})
	}
	if r.IntN(3) != 0 {
		u.Phone = fmt.Sprintf("+1555%04d", r.IntN(20))
	}
	var projectRoles []string
	tenantRoles := map[string][]string{}
	for _, role := range w.st.Roles() {
		if role.TenantID == "" {
			projectRoles = append(projectRoles, role.Name)
		} else {
			tenantRoles[role.TenantID] = append(tenantRoles[role.TenantID], role.Name)
		}
	}
	u.Roles = some(r, projectRoles)
	for _, t := range some(r, w.st.Tenants()) {
		u.Tenants = append(u.Tenants, UserTenant{TenantID: t.ID, Roles: some(r, append(slices.Clone(projectRoles), tenantRoles[t.ID]...))})
	}
	if r.IntN(2) == 0 {
		u.CustomAttributes = map[string]any{}
		for _, name := range some(r, []string{"plan", "seats", "beta", "tags", "none"}) {
			u.CustomAttributes[name] = randomAttribute(r, name)
		}
	}
	return u
}

func randomAttribute(r *rand.Rand, name string) any {
	switch name {
	case "plan":
		return pick(r, []any{"pro", "free", "PRO"})
	case "seats":
		return pick(r, []any{1, 2.0, int64(3), 1.5, math.Copysign(0, -1), 0, json.Number("2")})
	case "beta":
		return r.IntN(2) == 0
	case "tags":
		return pick(r, []any{[]any{"a", "b"}, []any{"b", 1.0}, []any{}, "a"})
	}
	return nil
}

// write makes one random change and returns what it did.
func (w *indexWorld) write(r *rand.Rand) string {
	users := w.st.Users()
	someUser := func() string {
		if len(users) == 0 {
			return "nobody"
		}
		return pick(r, users).ID
	}
	switch op := r.IntN(100); {
	case op < 30:
		w.st.PutUser(w.randomUser(r), r.IntN(2) == 0)
		return "put"
	case op < 42:
		w.st.ModifyUser(someUser(), func(u *User) error { u.Disabled = !u.Disabled; return nil })
		return "toggle status"
	case op < 52:
		w.st.ModifyUser(someUser(), func(u *User) error {
			if u.CustomAttributes == nil {
				u.CustomAttributes = map[string]any{}
			}
			name := pick(r, []string{"plan", "seats", "beta", "tags"})
			if r.IntN(4) == 0 {
				delete(u.CustomAttributes, name)
			} else {
				u.CustomAttributes[name] = randomAttribute(r, name)
			}
			return nil
		})
		return "change attribute"
	case op < 58:
		w.st.ModifyUser(someUser(), func(u *User) error {
			u.Name, u.Phone = pick(r, w.names), fmt.Sprintf("+1555%04d", r.IntN(20))
			return nil
		})
		return "rename user"
	case op < 68:
		w.st.RemoveUser(someUser())
		return "delete user"
	case op < 70:
		w.st.RemoveTestUsers()
		return "delete test users"
	case op < 78:
		roles := w.st.Roles()
		if len(roles) == 0 {
			return "no role"
		}
		role := pick(r, roles)
		renamed := role
		renamed.Name = pick(r, []string{"admin", "viewer", "editor", "owner", "auditor", "admin2"})
		w.st.UpdateRole(role.TenantID, role.Name, renamed)
		return "rename role"
	case op < 84:
		roles := w.st.Roles()
		if len(roles) == 0 {
			return "no role"
		}
		role := pick(r, roles)
		w.st.DeleteRole(role.TenantID, role.Name)
		w.st.CreateRole(Role{Name: role.Name, TenantID: role.TenantID})
		return "delete role"
	case op < 88:
		id := pick(r, []string{"t1", "t2", "t3"})
		w.st.DeleteTenant(id, r.IntN(2) == 0)
		w.st.CreateTenant(Tenant{ID: id, Name: "Tenant " + id})
		return "delete tenant"
	case op < 98:
		w.advance(time.Duration(r.IntN(5)-1) * time.Second)
		return "move clock"
	}
	w.st.Reset()
	return "reset"
}

// randomSearch is a search body of one to three random filters, their
// values mostly taken from the users held.
func (w *indexWorld) randomSearch(r *rand.Rand) map[string]any {
	users := w.st.Users()
	u := User{ID: "Unone", LoginIDs: []string{"nobody"}, Name: "x", Email: "x@y", Phone: "+1"}
	if len(users) > 0 {
		u = pick(r, users)
	}
	ms := func(sec int64) int64 { return max(0, sec*1000+int64(r.IntN(3)-1)*500) }
	body := map[string]any{}
	for range 1 + r.IntN(3) {
		switch r.IntN(16) {
		case 0:
			field := strings.ToUpper(pick(r, []string{u.ID, u.Name, u.Email, u.Phone, u.LoginIDs[0], "ann", "zz", "le"}))
			start := r.IntN(len(field) + 1)
			end := start + r.IntN(len(field)-start+1)
			body["text"] = field[start:end]
		case 1:
			body["tenantIds"] = some(r, []string{"t1", "t2", "t3", "t9"})
		case 2:
			body["roleNames"] = some(r, []string{"admin", "viewer", "editor", "owner", "auditor", "admin2"})
		case 3:
			body["statuses"] = some(r, userStatuses)
		case 4:
			attrs := map[string]any{}
			for _, name := range some(r, []string{"plan", "seats", "beta", "tags", "none"}) {
				v := randomAttribute(r, name)
				if _, isList := v.([]any); !isList && r.IntN(3) == 0 {
					v = []any{v, randomAttribute(r, "plan")}
				}
				attrs[name] = v
			}
			body["customAttributes"] = attrs
		case 5:
			body["fromCreatedTime"] = ms(u.CreatedTime - int64(r.IntN(3)))
			if r.IntN(2) == 0 {
				body["toCreatedTime"] = ms(u.CreatedTime + int64(r.IntN(3)))
			}
		case 6:
			body["toModifiedTime"] = ms(u.ModifiedTime + int64(r.IntN(3)-1))
			if r.IntN(2) == 0 {
				body["fromModifiedTime"] = ms(u.ModifiedTime - int64(r.IntN(3)))
			}
		case 7:
			roles := map[string]any{}
			for _, t := range some(r, []string{"t1", "t2", "t3"}) {
				roles[t] = map[string]any{"values": some(r, []string{"admin", "viewer", "owner", "editor"}), "and": r.IntN(2) == 0}
			}
			body["tenantRoleNames"] = roles
		case 8:
			body["userIds"] = []string{u.ID, "Unone"}
		case 9:
			body["loginIds"] = []string{u.LoginIDs[len(u.LoginIDs)-1]}
		case 10:
			body["emails"] = []string{strings.ToUpper(u.Email), "shared1@example.com"}
		case 11:
			body["phones"] = []string{u.Phone}
		case 12:
			body["withTestUser"] = true
		case 13:
			body["testUsersOnly"] = true
		case 14:
			body["loginId"] = u.LoginIDs[0]
		case 15:
			body["ssoOnly"] = r.IntN(4) == 0
		}
	}
	return body
}

// compare runs one random search both ways and fails on a difference.
func (w *indexWorld) compare(t *testing.T, r *rand.Rand, history []string) {
	t.Helper()
	body, _ := json.Marshal(w.randomSearch(r))
	q, err := parseUserSearch(body, r.IntN(5) == 0)
	if err != nil {
		t.Fatalf("search %s: %v", body, err)
	}
	ids := func(users []*User) []string {
		out := make([]string, 0, len(users))
		for _, u := range users {
			out = append(out, u.ID)
		}
		slices.Sort(out)
		return out
	}
	indexed, scanned := ids(w.st.SearchUsers(q.indexFilter(), q.match)), ids(w.st.SearchUsers(nil, q.match))
	if !slices.Equal(indexed, scanned) {
		t.Fatalf("search %s after %v: the indexes found %v, the full scan %v", body, history[max(0, len(history)-5):], indexed, scanned)
	}
}

func TestUserSearchIndexesMatchFullScan(t *testing.T) {
	t.Parallel()
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 19))
			w := newIndexWorld(t)
			var history []string
			for range 300 {
				history = append(history, w.write(r))
				if err := w.st.CheckUserIndexes(); err != nil {
					t.Fatalf("after %v: %v", history[max(0, len(history)-5):], err)
				}
				for range 3 {
					w.compare(t, r, history)
				}
			}
		})
	}
}

// Many goroutines write and search at once (run under -race): every answer
// holds only users its search matches, and once the writers are done the
// indexes equal rebuilt ones and agree with the full scan.
func TestUserSearchIndexesConcurrent(t *testing.T) {
	t.Parallel()
	w := newIndexWorld(t)
	var wg sync.WaitGroup
	for g := range uint64(16) {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(g, 1919))
			for range 80 {
				if g%2 == 0 {
					w.write(r)
					continue
				}
				body, _ := json.Marshal(w.randomSearch(r))
				q, err := parseUserSearch(body, false)
				if err != nil {
					t.Errorf("search %s: %v", body, err)
					return
				}
				for _, u := range w.st.SearchUsers(q.indexFilter(), q.match) {
					if !q.match(u) {
						t.Errorf("search %s answered user %s, which it does not match", body, u.ID)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := w.st.CheckUserIndexes(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		w.compare(t, r, []string{"concurrent writes"})
	}
}
