package mockidp

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// searchUsers are the users of the pure search tests. Times are Unix
// seconds; the filters take milliseconds.
func searchUsers() []User {
	return []User{
		{ID: "U1", LoginIDs: []string{"alice@example.com", "alice"}, Name: "Alice Smith", Email: "Alice@Example.com", Phone: "+15550001",
			VerifiedEmail: true, Roles: []string{"admin"},
			Tenants:          []UserTenant{{TenantID: "acme", Roles: []string{"tenant-admin", "viewer"}}},
			CustomAttributes: map[string]any{"plan": "pro", "seats": 5, "beta": true, "tags": []any{"a", "b"}},
			CreatedTime:      1000, ModifiedTime: 2000},
		{ID: "U2", LoginIDs: []string{"bob@example.com"}, Name: "Bob", Email: "bob@example.com", Phone: "+15550002",
			VerifiedPhone: true, Roles: []string{"viewer"},
			Tenants:          []UserTenant{{TenantID: "globex", Roles: []string{"viewer"}}},
			CustomAttributes: map[string]any{"plan": "free", "seats": 1.0},
			CreatedTime:      3000, ModifiedTime: 3000},
		{ID: "U3", LoginIDs: []string{"test@example.com"}, Email: "test@example.com", Test: true,
			CreatedTime: 5000, ModifiedTime: 6000},
		{ID: "U4", LoginIDs: []string{"+15550004"}, Phone: "+15550004",
			Tenants:     []UserTenant{{TenantID: "acme", Roles: []string{"viewer"}}, {TenantID: "globex", Roles: []string{"admin"}}},
			CreatedTime: 4000, ModifiedTime: 4500},
	}
}

// searchDirectory holds users with the directory's indexes, as the server does.
func searchDirectory(users []User) *state.State {
	p := &Project{Directory: Directory{Users: users}}
	return state.New(state.Config{Project: p, Now: func() time.Time { return time.Unix(1e9, 0) }})
}

// searchState is a search's answer from the state's index lookups.
func searchState(st *state.State, q *userSearch) []*User {
	return st.SearchUsers(q.indexFilter(), q.match)
}

// runSearch answers a search the pure way (match over every user) and
// through the directory's index lookups; both must agree.
func runSearch(t *testing.T, users []User, q *userSearch) []string {
	t.Helper()
	scan := func() []*User {
		var out []*User
		for _, u := range users {
			if q.match(&u) {
				out = append(out, &u)
			}
		}
		return out
	}
	page := func(matched []*User) []string {
		sortUsers(matched, q.sort)
		start, end := q.window(len(matched))
		ids := []string{}
		for _, u := range matched[start:end] {
			ids = append(ids, u.ID)
		}
		return ids
	}
	byScan, byIndex := page(scan()), page(searchState(searchDirectory(users), q))
	if !slices.Equal(byScan, byIndex) {
		t.Fatalf("index lookup found %v, scanning every user found %v", byIndex, byScan)
	}
	return byScan
}

func TestUserSearchFilters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		testPath bool
		want     []string
	}{
		{name: "no body: ordinary users", body: ``, want: []string{"U1", "U2", "U4"}},
		{name: "empty object", body: `{}`, want: []string{"U1", "U2", "U4"}},
		{name: "withTestUser adds test users", body: `{"withTestUser":true}`, want: []string{"U1", "U2", "U3", "U4"}},
		{name: "testUsersOnly", body: `{"testUsersOnly":true}`, want: []string{"U3"}},
		{name: "test path: test users whatever the body says", body: `{"withTestUser":false,"testUsersOnly":false}`, testPath: true, want: []string{"U3"}},

		{name: "emails, case-insensitive", body: `{"emails":["alice@EXAMPLE.com"]}`, want: []string{"U1"}},
		{name: "emails nobody", body: `{"emails":["nobody@example.com"]}`, want: []string{}},
		{name: "emails: an empty value matches no user", body: `{"emails":[""]}`, want: []string{}},
		{name: "emails: a test user's only with test users", body: `{"emails":["test@example.com"]}`, want: []string{}},
		{name: "phones", body: `{"phones":["+15550002","+15550004"]}`, want: []string{"U2", "U4"}},
		{name: "phones nobody", body: `{"phones":["+1"]}`, want: []string{}},
		{name: "userIds", body: `{"userIds":["U4","U2","U2"]}`, want: []string{"U2", "U4"}},
		{name: "userIds nobody", body: `{"userIds":["U9"]}`, want: []string{}},
		{name: "loginIds, any of the user's", body: `{"loginIds":["alice"]}`, want: []string{"U1"}},
		{name: "loginIds nobody", body: `{"loginIds":["nobody"]}`, want: []string{}},
		{name: "loginId", body: `{"loginId":"bob@example.com"}`, want: []string{"U2"}},
		{name: "loginId nobody", body: `{"loginId":"nobody"}`, want: []string{}},
		{name: "loginId and loginIds both hold", body: `{"loginId":"bob@example.com","loginIds":["alice"]}`, want: []string{}},
		{name: "filters combine: emails and phones", body: `{"emails":["bob@example.com"],"phones":["+15550002"]}`, want: []string{"U2"}},
		{name: "filters combine: none holds both", body: `{"emails":["bob@example.com"],"phones":["+15550001"]}`, want: []string{}},

		{name: "statuses enabled: every mock user", body: `{"statuses":["enabled","invited"]}`, want: []string{"U1", "U2", "U4"}},
		{name: "statuses disabled: none on the mock", body: `{"statuses":["disabled","expired"]}`, want: []string{}},
		{name: "roleNames, project level", body: `{"roleNames":["admin"]}`, want: []string{"U1"}},
		{name: "roleNames nobody", body: `{"roleNames":["owner"]}`, want: []string{}},
		{name: "tenantIds", body: `{"tenantIds":["acme"]}`, want: []string{"U1", "U4"}},
		{name: "tenantIds nobody", body: `{"tenantIds":["initech"]}`, want: []string{}},
		{name: "includeSubTenants: no mock tenant has any", body: `{"tenantIds":["acme"],"includeSubTenants":true}`, want: []string{"U1", "U4"}},

		{name: "tenantRoleNames any", body: `{"tenantRoleNames":{"acme":{"values":["viewer"]}}}`, want: []string{"U1", "U4"}},
		{name: "tenantRoleNames and", body: `{"tenantRoleNames":{"acme":{"values":["tenant-admin","viewer"],"and":true}}}`, want: []string{"U1"}},
		{name: "tenantRoleNames: roles of that tenant only", body: `{"tenantRoleNames":{"globex":{"values":["admin"]}}}`, want: []string{"U4"}},
		{name: "tenantRoleNames: no values is membership", body: `{"tenantRoleNames":{"globex":{}}}`, want: []string{"U2", "U4"}},
		{name: "tenantRoleNames: null is membership", body: `{"tenantRoleNames":{"globex":null}}`, want: []string{"U2", "U4"}},
		{name: "tenantRoleNames nobody", body: `{"tenantRoleNames":{"acme":{"values":["owner"]}}}`, want: []string{}},
		{name: "tenantRoleNames: any tenant entry", body: `{"tenantRoleNames":{"acme":{"values":["tenant-admin"]},"globex":{"values":["viewer"]}}}`, want: []string{"U1", "U2"}},

		{name: "customAttributes string", body: `{"customAttributes":{"plan":"pro"}}`, want: []string{"U1"}},
		{name: "customAttributes list of values", body: `{"customAttributes":{"plan":["pro","free"]}}`, want: []string{"U1", "U2"}},
		{name: "customAttributes int", body: `{"customAttributes":{"seats":5}}`, want: []string{"U1"}},
		{name: "customAttributes number against a float", body: `{"customAttributes":{"seats":1}}`, want: []string{"U2"}},
		{name: "customAttributes bool", body: `{"customAttributes":{"beta":true}}`, want: []string{"U1"}},
		{name: "customAttributes: an item of a list attribute", body: `{"customAttributes":{"tags":"b"}}`, want: []string{"U1"}},
		{name: "customAttributes: types differ", body: `{"customAttributes":{"seats":"5"}}`, want: []string{}},
		{name: "customAttributes nobody", body: `{"customAttributes":{"plan":"enterprise"}}`, want: []string{}},
		{name: "customAttributes null: without it", body: `{"customAttributes":{"plan":null}}`, want: []string{"U4"}},
		{name: "customAttributes: every key holds", body: `{"customAttributes":{"plan":"pro","seats":1}}`, want: []string{}},
		{name: "customAttributes: an empty list is no filter", body: `{"customAttributes":{"plan":[]}}`, want: []string{"U1", "U2", "U4"}},

		{name: "text, case-insensitive", body: `{"text":"SMITH"}`, want: []string{"U1"}},
		{name: "text in login IDs and emails", body: `{"text":"example.com"}`, want: []string{"U1", "U2"}},
		{name: "text nobody", body: `{"text":"zzz"}`, want: []string{}},

		{name: "fromCreatedTime (ms)", body: `{"fromCreatedTime":3000000}`, want: []string{"U2", "U4"}},
		{name: "fromCreatedTime rounds up to the second", body: `{"fromCreatedTime":3000001}`, want: []string{"U4"}},
		{name: "toCreatedTime (ms)", body: `{"toCreatedTime":1000999}`, want: []string{"U1"}},
		{name: "toCreatedTime before everyone", body: `{"toCreatedTime":999999}`, want: []string{}},
		{name: "createdTime range as strings (protobuf JSON)", body: `{"fromCreatedTime":"2000000","toCreatedTime":"3500000"}`, want: []string{"U2"}},
		{name: "modified range", body: `{"fromModifiedTime":2500000,"toModifiedTime":4000000}`, want: []string{"U2"}},
		{name: "modified range nobody", body: `{"fromModifiedTime":9000000}`, want: []string{}},
		{name: "time filters far in the future do not overflow", body: `{"fromCreatedTime":9223372036854775807}`, want: []string{}},

		{name: "verifiedEmail true", body: `{"verifiedEmail":true}`, want: []string{"U1"}},
		{name: "verifiedEmail false", body: `{"verifiedEmail":false}`, want: []string{"U2", "U4"}},
		{name: "verifiedPhone true", body: `{"verifiedPhone":true}`, want: []string{"U2"}},
		{name: "ssoAppIds: mock users belong to no SSO app", body: `{"ssoAppIds":["app1"]}`, want: []string{}},
		{name: "ssoAppIds empty: no filter", body: `{"ssoAppIds":[]}`, want: []string{"U1", "U2", "U4"}},
		{name: "ssoOnly: no mock user has SSO IDs", body: `{"ssoOnly":true}`, want: []string{}},
		{name: "scimOnly: no mock user came from SCIM", body: `{"scimOnly":true}`, want: []string{}},

		{name: "sort by name descending", body: `{"sort":[{"field":"name","desc":true}]}`, want: []string{"U2", "U1", "U4"}},
		{name: "sort by createdTime descending", body: `{"sort":[{"field":"createdTime","desc":true}],"withTestUser":true}`, want: []string{"U3", "U4", "U2", "U1"}},
		{name: "sort by status then email", body: `{"sort":[{"field":"status"},{"field":"email"}]}`, want: []string{"U4", "U1", "U2"}},
		{name: "sort by loginIds", body: `{"sort":[{"field":"loginIds"}]}`, want: []string{"U4", "U1", "U2"}},

		{name: "limit", body: `{"limit":2}`, want: []string{"U1", "U2"}},
		{name: "limit and page", body: `{"limit":2,"page":1}`, want: []string{"U4"}},
		{name: "page past the end", body: `{"limit":2,"page":5}`, want: []string{}},
		{name: "the largest page", body: `{"page":2147483647,"limit":1000}`, want: []string{}},
		{name: "offset takes precedence over page", body: `{"offset":2,"page":0,"limit":1}`, want: []string{"U4"}},
		{name: "offset past the end", body: `{"offset":2147483647}`, want: []string{}},
		{name: "numbers as strings", body: `{"limit":"1","page":"1"}`, want: []string{"U2"}},
		{name: "null everywhere", body: `{"page":null,"limit":null,"emails":null,"sort":null,"customAttributes":null,"tenantRoleIds":null,"verifiedEmail":null}`, want: []string{"U1", "U2", "U4"}},
	}
	users := searchUsers()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := parseUserSearch([]byte(tc.body), tc.testPath)
			if err != nil {
				t.Fatalf("parseUserSearch(%s): %v", tc.body, err)
			}
			if got := runSearch(t, users, &q); !slices.Equal(got, tc.want) {
				t.Errorf("search %s: got %v, want %v", tc.body, got, tc.want)
			}
		})
	}
}

func TestUserSearchRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantCode string
		wantText string // in the message: the field refused
	}{
		{"page overflowing page × limit (issue 16.7)", `{"page":9223372036854775807}`, CodeInvalidArgument, "page must be a whole number from 0 to 2147483647"},
		{"page past int32", `{"page":2147483648}`, CodeInvalidArgument, "page"},
		{"page beyond int64", `{"page":99999999999999999999999}`, CodeInvalidArgument, "page"},
		{"negative page", `{"page":-1}`, CodeInvalidArgument, "page"},
		{"fractional page", `{"page":1.5}`, CodeInvalidArgument, "page"},
		{"exponent page", `{"page":1e3}`, CodeInvalidArgument, "page"},
		{"page not a number", `{"page":true}`, CodeBadRequest, "page must be a number"},
		{"page a string that is not a number", `{"page":"two"}`, CodeBadRequest, "page"},
		{"limit over the mock's page", `{"limit":1001}`, CodeInvalidArgument, "limit must be a whole number from 0 to 1000"},
		{"negative limit", `{"limit":-1}`, CodeInvalidArgument, "limit"},
		{"negative offset", `{"offset":-1}`, CodeInvalidArgument, "offset"},
		{"offset past int32", `{"offset":4294967296}`, CodeInvalidArgument, "offset"},
		{"negative time", `{"fromCreatedTime":-5}`, CodeInvalidArgument, "fromCreatedTime"},
		{"time beyond int64", `{"toModifiedTime":9223372036854775808}`, CodeInvalidArgument, "toModifiedTime"},
		{"unknown status", `{"statuses":["enabled","active"]}`, CodeInvalidArgument, `statuses[1]: "active"`},
		{"unknown sort field", `{"sort":[{"field":"name"},{"field":"shoeSize"}]}`, CodeInvalidArgument, `sort[1].field: "shoeSize"`},
		{"empty sort field", `{"sort":[{"desc":true}]}`, CodeInvalidArgument, `sort[0].field`},
		{"tenantRoleIds: the mock's roles have no IDs", `{"tenantRoleIds":{"acme":{"values":["id1"]}}}`, CodeInvalidArgument, "tenantRoleIds"},
		{"customAttributes object value", `{"customAttributes":{"plan":{"a":1}}}`, CodeInvalidArgument, "customAttributes.plan"},
		{"customAttributes nested array", `{"customAttributes":{"plan":[["a"]]}}`, CodeInvalidArgument, "customAttributes.plan"},
		{"password filter", `{"password":true}`, CodeInvalidArgument, "password"},
		{"totp filter", `{"totp":true}`, CodeInvalidArgument, "totp"},
		{"webauthn filter", `{"webauthn":true}`, CodeInvalidArgument, "webauthn"},
		{"scim filter", `{"scim":true}`, CodeInvalidArgument, "scim"},
		{"selectedColumns", `{"selectedColumns":["email"]}`, CodeInvalidArgument, "selectedColumns"},
		{"unknown field", `{"emails":["a@b"],"email":"a@b"}`, CodeBadRequest, `unknown field "email"`},
		{"roles (the SDK option, not the wire field)", `{"roles":["admin"]}`, CodeBadRequest, `unknown field "roles"`},
		{"unknown field in a sort key", `{"sort":[{"field":"name","order":"asc"}]}`, CodeBadRequest, `"order"`},
		{"unknown field in a role list", `{"tenantRoleNames":{"acme":{"names":["x"]}}}`, CodeBadRequest, `"names"`},
		{"duplicate key", `{"emails":["a@b"],"emails":[]}`, CodeBadRequest, `duplicate key "emails"`},
		{"wrong type", `{"emails":"a@b"}`, CodeBadRequest, "emails must be an array of strings"},
		{"not an object", `[1]`, CodeBadRequest, "must be an object"},
		{"trailing data", `{} {}`, CodeBadRequest, "trailing data"},
		{"malformed", `{"emails":[`, CodeBadRequest, "malformed JSON body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseUserSearch([]byte(tc.body), false)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("parseUserSearch(%s): got %v, want a Descope error", tc.body, err)
			}
			if e.Status != http.StatusBadRequest || e.Code != tc.wantCode || !strings.Contains(e.Message, tc.wantText) {
				t.Errorf("parseUserSearch(%s): got %d %s %q, want 400 %s naming %q", tc.body, e.Status, e.Code, e.Message, tc.wantCode, tc.wantText)
			}
		})
	}
}

// TestUserSearchIndexFollowsWrites checks that the email and phone indexes
// follow a user's replacement and removal.
func TestUserSearchIndexFollowsWrites(t *testing.T) {
	t.Parallel()
	now := time.Unix(100, 0)
	d := state.New(state.Config{Project: &Project{Directory: Directory{Sessions: SessionSettings{TestUserLimit: 5}}}, Now: func() time.Time { return now }})
	alice := User{LoginIDs: []string{"alice"}, Email: "alice@old.example", Phone: "+1"}
	stored, _, err := d.PutUser(alice, false)
	if err != nil {
		t.Fatal(err)
	}
	twin, _, err := d.PutUser(User{LoginIDs: []string{"twin"}, Email: "ALICE@old.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	find := func(body string) []string {
		t.Helper()
		q, err := parseUserSearch([]byte(body), false)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range searchState(d, &q) {
			ids = append(ids, u.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got, want := find(`{"emails":["alice@old.example"]}`), []string{stored.ID, twin.ID}; !slices.Equal(got, want) {
		t.Fatalf("two users of one email: got %v, want %v", got, want)
	}
	alice.Email, alice.Phone = "alice@new.example", "+2"
	now = time.Unix(200, 0)
	if _, _, err := d.PutUser(alice, true); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string][]string{
		`{"emails":["alice@old.example"]}`:           {twin.ID},
		`{"emails":["alice@new.example"]}`:           {stored.ID},
		`{"phones":["+1"]}`:                          nil,
		`{"phones":["+2"]}`:                          {stored.ID},
		`{"fromModifiedTime":200000}`:                {stored.ID},
		`{"toModifiedTime":100000,"loginIds":["x"]}`: nil,
	} {
		if got := find(body); !slices.Equal(got, want) {
			t.Errorf("after replacing alice, %s: got %v, want %v", body, got, want)
		}
	}
	if _, err := d.RemoveUser("twin"); err != nil {
		t.Fatal(err)
	}
	if got := find(`{"emails":["alice@old.example"]}`); got != nil {
		t.Errorf("after removing twin: got %v, want none", got)
	}
}

// FuzzUserSearchRequest feeds any body to the search parser and, when it
// is accepted, searches the fixture users with it. Invariants: a refusal is
// a 400 Descope error with a message; an accepted search agrees between the
// index lookups and the scan, and its page lies inside the matches and holds
// at most limit users. The seed corpus (testdata/fuzz) holds the bodies the
// Go, Node and Python SDKs send.
func FuzzUserSearchRequest(f *testing.F) {
	for _, body := range []string{``, `{}`, `{"page":9223372036854775807}`, `{"limit":2,"page":1,"sort":[{"field":"name","desc":true}]}`} {
		f.Add([]byte(body), false)
	}
	users := searchUsers()
	f.Fuzz(func(t *testing.T, body []byte, testPath bool) {
		q, err := parseUserSearch(body, testPath)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code == "" || e.Message == "" {
				t.Fatalf("parseUserSearch(%q): got %#v, want a 400 Descope error with a message", body, err)
			}
			return
		}
		if q.limit < 1 || q.limit > maxSearchLimit {
			t.Fatalf("parseUserSearch(%q): limit %d outside 1..%d", body, q.limit, maxSearchLimit)
		}
		ids := runSearch(t, users, &q)
		if int64(len(ids)) > q.limit {
			t.Fatalf("search %q: %d users on a page of %d", body, len(ids), q.limit)
		}
		for total := range 3 {
			if start, end := q.window(total); start < 0 || start > end || end > total {
				t.Fatalf("search %q: window(%d) = [%d, %d)", body, total, start, end)
			}
		}
	})
}
