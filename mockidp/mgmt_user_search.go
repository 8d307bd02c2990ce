package mockidp

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// Management user search: POST /v1/mgmt/user/search (the SDKs before
// September 2024), /v2/mgmt/user/search and /v2/mgmt/user/search/test. The
// body is parsed strictly (parseUserSearch) and matched by pure functions
// over users (userSearch.match, sortUsers, userSearch.window); the directory
// narrows the candidates with its indexes (users_index.go). The README's
// "User search" table says what each field means on the mock.

// Bounds of user search.
const (
	// defaultSearchLimit is the page size when limit is 0 or absent, as
	// Descope's API reference says ("Default is 100 if not specified").
	defaultSearchLimit = 100
	// maxSearchLimit is the mock's largest page (Descope's is not recorded).
	maxSearchLimit = 1000
)

// userSearchRequest is the body of a user search (wire type): every field
// the SDKs send (GO descope/internal/mgmt/user.go makeSearchAllRequest, NODE
// lib/management/user.ts SearchRequest, PY descope/management/user.py
// search_all) and the rest of the fields of Descope's API reference for the
// call. Numbers are json.Number so that a value out of range is refused by
// name; as protobuf JSON does, a number sent as a string is read too.
type userSearchRequest struct {
	Page              json.Number                 `json:"page"`
	Limit             json.Number                 `json:"limit"`
	Offset            json.Number                 `json:"offset"`
	Sort              []userSearchSortRequest     `json:"sort"`
	Text              string                      `json:"text"`
	LoginID           string                      `json:"loginId"`
	LoginIDs          []string                    `json:"loginIds"`
	UserIDs           []string                    `json:"userIds"`
	Emails            []string                    `json:"emails"`
	Phones            []string                    `json:"phones"`
	Statuses          []string                    `json:"statuses"`
	RoleNames         []string                    `json:"roleNames"`
	TenantIDs         []string                    `json:"tenantIds"`
	TenantRoleIDs     map[string]*roleListRequest `json:"tenantRoleIds"`
	TenantRoleNames   map[string]*roleListRequest `json:"tenantRoleNames"`
	IncludeSubTenants bool                        `json:"includeSubTenants"`
	CustomAttributes  map[string]any              `json:"customAttributes"`
	WithTestUser      bool                        `json:"withTestUser"`
	TestUsersOnly     bool                        `json:"testUsersOnly"`
	SSOAppIDs         []string                    `json:"ssoAppIds"`
	SSOOnly           bool                        `json:"ssoOnly"`
	SCIMOnly          bool                        `json:"scimOnly"`
	FromCreatedTime   json.Number                 `json:"fromCreatedTime"`
	ToCreatedTime     json.Number                 `json:"toCreatedTime"`
	FromModifiedTime  json.Number                 `json:"fromModifiedTime"`
	ToModifiedTime    json.Number                 `json:"toModifiedTime"`
	VerifiedEmail     *bool                       `json:"verifiedEmail"`
	VerifiedPhone     *bool                       `json:"verifiedPhone"`
	// Refused when set (true or non-empty): the mock does not model them.
	Password        bool     `json:"password"`
	TOTP            bool     `json:"totp"`
	WebAuthn        bool     `json:"webauthn"`
	SCIM            bool     `json:"scim"`
	SelectedColumns []string `json:"selectedColumns"`
}

// userSearchSortRequest is one sort key (GO descope.UserSearchSort).
type userSearchSortRequest struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc"`
}

// roleListRequest is one tenant's roles in tenantRoleNames (GO descope.RoleList).
type roleListRequest struct {
	Values []string `json:"values"`
	And    bool     `json:"and"`
}

// userStatuses are the statuses Descope's user types declare (GO
// descope.UserStatus, NODE UserStatus).
var userStatuses = []string{"enabled", "disabled", "invited", "expired"}

// userSortFields are the fields a search can sort by, each a comparison.
var userSortFields = map[string]func(a, b *User) int{
	"createdTime": func(a, b *User) int { return cmp.Compare(a.CreatedTime, b.CreatedTime) },
	"email":       func(a, b *User) int { return strings.Compare(a.Email, b.Email) },
	"loginIds":    func(a, b *User) int { return strings.Compare(firstLoginID(a), firstLoginID(b)) },
	"name":        func(a, b *User) int { return strings.Compare(a.Name, b.Name) },
	"phone":       func(a, b *User) int { return strings.Compare(a.Phone, b.Phone) },
	"status":      func(a, b *User) int { return strings.Compare(state.UserStatus(a), state.UserStatus(b)) },
	"userId":      func(a, b *User) int { return strings.Compare(a.ID, b.ID) },
}

func firstLoginID(u *User) string {
	if len(u.LoginIDs) == 0 {
		return ""
	}
	return u.LoginIDs[0]
}

// userSearch is a validated search: which users match, in which order, and
// which page of them answers.
type userSearch struct {
	page, limit, offset int64
	sort                []userSort

	testOnly, withTest bool
	text               string // lower case
	loginID            string
	// The values of the list filters, as sent (the directory's index
	// lookups, indexFilter), and as sets (matching). A nil set is no filter.
	loginIDList, userIDList, emailList, phoneList []string
	loginIDs, userIDs, emails, phones             stringSet
	statuses, roleNames, tenantIDs                stringSet
	noSSOApps, ssoOnly, scimOnly                  bool // each matches no mock user
	tenantRoles                                   []tenantRoleFilter
	attributes                                    []attributeFilter
	// Time ranges in Unix milliseconds, as the SDKs send them; 0 is open.
	fromCreated, toCreated, fromModified, toModified int64
	verifiedEmail, verifiedPhone                     *bool
}

type userSort struct {
	compare func(a, b *User) int
	desc    bool
}

// tenantRoleFilter is one tenant of tenantRoleNames: membership of the
// tenant and, when names is not empty, any (all with and) of these role
// names there.
type tenantRoleFilter struct {
	tenantID string
	names    []string
	and      bool
}

// attributeFilter is one custom attribute: the user's value must be one of
// values (each a string, a bool, a float64 or nil).
type attributeFilter struct {
	name   string
	values []any
}

type stringSet map[string]struct{}

func (s stringSet) has(v string) bool { _, ok := s[v]; return ok }

// setOf is the set of values, or nil (no filter) for none; key maps each.
func setOf(values []string, key func(string) string) stringSet {
	if len(values) == 0 {
		return nil
	}
	s := make(stringSet, len(values))
	for _, v := range values {
		if key != nil {
			v = key(v)
		}
		s[v] = struct{}{}
	}
	return s
}

// parseUserSearch reads a search body strictly: malformed JSON, a key given
// twice and a field Descope's API reference does not name are 400 E011001;
// a value the mock cannot use (out of range, unknown status or sort field,
// a filter it does not model) is 400 E011004 naming the field. testOnly is
// the test-user path, which finds test users only whatever the body says.
func parseUserSearch(body []byte, testOnly bool) (userSearch, error) {
	var req userSearchRequest
	if err := decodeStrict(body, &req); err != nil {
		return userSearch{}, err
	}
	return req.search(testOnly)
}

// nestedUnknownField is the quoted name of an unknown field that is not a
// key of the body's top level (encoding/json does not say where it was).
func nestedUnknownField(err error, body []byte) (string, bool) {
	name, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return "", false
	}
	unquoted, uerr := strconv.Unquote(name)
	_, atTop := top[unquoted]
	return name, uerr == nil && !atTop
}

// search validates the request into a userSearch.
func (req *userSearchRequest) search(testOnly bool) (userSearch, error) {
	q := userSearch{
		testOnly: testOnly || req.TestUsersOnly, withTest: testOnly || req.TestUsersOnly || req.WithTestUser,
		text: strings.ToLower(req.Text), loginID: req.LoginID,
		loginIDList: req.LoginIDs, userIDList: req.UserIDs, emailList: req.Emails, phoneList: req.Phones,
		loginIDs: setOf(req.LoginIDs, nil), userIDs: setOf(req.UserIDs, nil), emails: setOf(req.Emails, state.EmailKey),
		phones: setOf(req.Phones, nil), roleNames: setOf(req.RoleNames, nil), tenantIDs: setOf(req.TenantIDs, nil),
		noSSOApps: len(req.SSOAppIDs) > 0, ssoOnly: req.SSOOnly, scimOnly: req.SCIMOnly,
		verifiedEmail: req.VerifiedEmail, verifiedPhone: req.VerifiedPhone,
	}
	var err error
	if q.page, err = searchNumber("page", req.Page, math.MaxInt32); err != nil {
		return userSearch{}, err
	}
	if q.limit, err = searchNumber("limit", req.Limit, maxSearchLimit); err != nil {
		return userSearch{}, err
	}
	if q.limit == 0 {
		q.limit = defaultSearchLimit
	}
	if q.offset, err = searchNumber("offset", req.Offset, math.MaxInt32); err != nil {
		return userSearch{}, err
	}
	for _, t := range []struct {
		field string
		n     json.Number
		dst   *int64
	}{
		{"fromCreatedTime", req.FromCreatedTime, &q.fromCreated}, {"toCreatedTime", req.ToCreatedTime, &q.toCreated},
		{"fromModifiedTime", req.FromModifiedTime, &q.fromModified}, {"toModifiedTime", req.ToModifiedTime, &q.toModified},
	} {
		if *t.dst, err = searchNumber(t.field, t.n, math.MaxInt64); err != nil {
			return userSearch{}, err
		}
	}
	for i, st := range req.Statuses {
		if !slices.Contains(userStatuses, st) {
			return userSearch{}, invalidArgument("statuses[%d]: %q is not one of %s", i, truncate(st, 32), strings.Join(userStatuses, ", "))
		}
	}
	q.statuses = setOf(req.Statuses, nil)
	for i, s := range req.Sort {
		compare, ok := userSortFields[s.Field]
		if !ok {
			return userSearch{}, invalidArgument("sort[%d].field: %q is not a field the mock sorts by (%s)", i, truncate(s.Field, 32), strings.Join(slices.Sorted(maps.Keys(userSortFields)), ", "))
		}
		q.sort = append(q.sort, userSort{compare: compare, desc: s.Desc})
	}
	if len(req.TenantRoleIDs) > 0 {
		return userSearch{}, invalidArgument("tenantRoleIds: the mock's roles have no IDs; filter by role name with tenantRoleNames")
	}
	for _, tenantID := range slices.Sorted(maps.Keys(req.TenantRoleNames)) {
		f := tenantRoleFilter{tenantID: tenantID}
		if rl := req.TenantRoleNames[tenantID]; rl != nil {
			f.names, f.and = rl.Values, rl.And
		}
		q.tenantRoles = append(q.tenantRoles, f)
	}
	for _, name := range slices.Sorted(maps.Keys(req.CustomAttributes)) {
		f, err := attributeFilterOf(name, req.CustomAttributes[name])
		if err != nil {
			return userSearch{}, err
		}
		if len(f.values) > 0 {
			q.attributes = append(q.attributes, f)
		}
	}
	for _, unmodelled := range []struct {
		field string
		set   bool
	}{
		{"password", req.Password}, {"totp", req.TOTP}, {"webauthn", req.WebAuthn}, {"scim", req.SCIM},
		{"selectedColumns", len(req.SelectedColumns) > 0},
	} {
		if unmodelled.set {
			return userSearch{}, invalidArgument("%s: the mock does not model this filter; leave it out (false or empty)", unmodelled.field)
		}
	}
	return q, nil
}

// searchNumber reads a whole number from 0 to hi; absent is 0.
func searchNumber(field string, n json.Number, hi int64) (int64, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < 0 || v > hi {
		return 0, invalidArgument("%s must be a whole number from 0 to %d, not %s", field, hi, truncate(string(n), 32))
	}
	return v, nil
}

// attributeFilterOf reads one customAttributes entry: a string, number,
// bool or null, or an array of them (any of which matches).
func attributeFilterOf(name string, v any) (attributeFilter, error) {
	f := attributeFilter{name: name}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	for _, item := range list {
		switch x := item.(type) {
		case nil, string, bool:
			f.values = append(f.values, x)
		case json.Number:
			n, err := strconv.ParseFloat(string(x), 64)
			if err != nil {
				return f, invalidArgument("customAttributes.%s: %s is not a number the mock can compare", truncate(name, 64), truncate(string(x), 32))
			}
			f.values = append(f.values, n)
		default:
			return f, invalidArgument("customAttributes.%s must be a string, number, true, false or null, or an array of them", truncate(name, 64))
		}
	}
	return f, nil
}

// match reports whether q selects u: every filter given holds (a list
// filter holds when the user has any of its values).
func (q *userSearch) match(u *User) bool {
	switch {
	case u.Test && !q.withTest, !u.Test && q.testOnly:
		return false
	case q.userIDs != nil && !q.userIDs.has(u.ID),
		q.loginIDs != nil && !slices.ContainsFunc(u.LoginIDs, q.loginIDs.has),
		q.loginID != "" && !slices.Contains(u.LoginIDs, q.loginID),
		q.emails != nil && (u.Email == "" || !q.emails.has(state.EmailKey(u.Email))),
		q.phones != nil && (u.Phone == "" || !q.phones.has(u.Phone)),
		q.statuses != nil && !q.statuses.has(state.UserStatus(u)),
		q.roleNames != nil && !slices.ContainsFunc(u.Roles, q.roleNames.has),
		q.tenantIDs != nil && !slices.ContainsFunc(u.Tenants, func(t UserTenant) bool { return q.tenantIDs.has(t.TenantID) }),
		q.noSSOApps, q.ssoOnly, q.scimOnly,
		q.verifiedEmail != nil && u.VerifiedEmail != *q.verifiedEmail,
		q.verifiedPhone != nil && u.VerifiedPhone != *q.verifiedPhone,
		!inMillisRange(u.CreatedTime, q.fromCreated, q.toCreated),
		!inMillisRange(u.ModifiedTime, q.fromModified, q.toModified),
		len(q.tenantRoles) > 0 && !slices.ContainsFunc(q.tenantRoles, func(f tenantRoleFilter) bool { return f.match(u) }),
		q.text != "" && !matchesText(u, q.text):
		return false
	}
	for _, f := range q.attributes {
		if !f.match(u) {
			return false
		}
	}
	return true
}

// inMillisRange reports whether t (Unix seconds) lies in [from, to] given
// in Unix milliseconds, 0 leaving that end open. It compares in seconds
// (from rounded up, to down) so that nothing overflows.
func inMillisRange(t, from, to int64) bool {
	fromSec := from / 1000
	if from%1000 != 0 {
		fromSec++
	}
	return t >= fromSec && (to == 0 || t <= to/1000)
}

func (f tenantRoleFilter) match(u *User) bool {
	i := slices.IndexFunc(u.Tenants, func(t UserTenant) bool { return t.TenantID == f.tenantID })
	if i < 0 {
		return false
	}
	has := func(name string) bool { return slices.Contains(u.Tenants[i].Roles, name) }
	switch {
	case len(f.names) == 0:
		return true
	case f.and:
		return !slices.ContainsFunc(f.names, func(n string) bool { return !has(n) })
	}
	return slices.ContainsFunc(f.names, has)
}

// match compares the user's attribute with the filter's values; a user's
// list attribute matches when any of its items does, and null matches a
// user without the attribute.
func (f attributeFilter) match(u *User) bool {
	v, ok := u.CustomAttributes[f.name]
	if !ok || v == nil {
		return slices.Contains(f.values, nil)
	}
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	for _, item := range items {
		for _, want := range f.values {
			if sameAttributeValue(item, want) {
				return true
			}
		}
	}
	return false
}

// sameAttributeValue compares a user's attribute value (as YAML or JSON
// decoded it) with a filter value (string, bool, float64 or nil).
func sameAttributeValue(have, want any) bool {
	switch w := want.(type) {
	case string:
		h, ok := have.(string)
		return ok && h == w
	case bool:
		h, ok := have.(bool)
		return ok && h == w
	case float64:
		h, ok := state.AttributeNumber(have)
		return ok && h == w
	}
	return false
}

// matchesText is the free-text filter: a case-insensitive substring of the
// user ID, a login ID, the name, the email or the phone.
func matchesText(u *User, text string) bool {
	has := func(field string) bool { return strings.Contains(strings.ToLower(field), text) }
	return has(u.ID) || has(u.Name) || has(u.Email) || has(u.Phone) || slices.ContainsFunc(u.LoginIDs, has)
}

// sortUsers orders users by the search's sort keys, then by user ID. It
// sorts pointers: comparing copies would move every user's struct at each
// step (and put them on the heap, as the comparisons take pointers).
func sortUsers(users []*User, keys []userSort) {
	slices.SortFunc(users, func(a, b *User) int {
		for _, k := range keys {
			if c := k.compare(a, b); c != 0 {
				if k.desc {
					return -c
				}
				return c
			}
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// window is the page of total matched users that answers, [start, end):
// from offset when it is set, else from page × limit (both bounded, so the
// product cannot overflow), empty past the end.
func (q *userSearch) window(total int) (start, end int) {
	from := q.page * q.limit
	if q.offset > 0 {
		from = q.offset
	}
	if from >= int64(total) {
		return total, total
	}
	return int(from), int(min(from+q.limit, int64(total)))
}

// indexFilter is what the directory's indexes can narrow q by (each a
// condition match checks too; state.UserFilter): the list filters, the
// statuses, project and tenant roles, tenants, custom attributes, the time
// ranges (in seconds, rounded as inMillisRange does), the text and the
// test-users path. The directory looks only at the users of the most
// selective of them.
func (q *userSearch) indexFilter() *state.UserFilter {
	f := &state.UserFilter{
		UserIDs: q.userIDList, LoginIDs: q.loginIDList, Emails: q.emailList, Phones: q.phoneList,
		Statuses: slices.Collect(maps.Keys(q.statuses)), RoleNames: slices.Collect(maps.Keys(q.roleNames)),
		TenantIDs: slices.Collect(maps.Keys(q.tenantIDs)), Text: q.text, TestOnly: q.testOnly,
		Nothing: q.noSSOApps || q.ssoOnly || q.scimOnly,
	}
	if q.loginID != "" {
		f.LoginIDs = []string{q.loginID}
	}
	for _, t := range q.tenantRoles {
		f.TenantRoles = append(f.TenantRoles, state.TenantRoleFilter{TenantID: t.tenantID, Names: t.names, And: t.and})
	}
	for _, a := range q.attributes {
		f.Attributes = append(f.Attributes, state.AttributeFilter{Name: a.name, Values: a.values})
	}
	f.Created, f.Modified = secondsRange(q.fromCreated, q.toCreated), secondsRange(q.fromModified, q.toModified)
	return f
}

// secondsRange is the range of Unix seconds inMillisRange accepts for
// [from, to] in milliseconds (nil: both ends open, no condition).
func secondsRange(from, to int64) *state.TimeRange {
	if from == 0 && to == 0 {
		return nil
	}
	r := &state.TimeRange{From: from / 1000, To: math.MaxInt64}
	if from%1000 != 0 {
		r.From++
	}
	if to != 0 {
		r.To = to / 1000
	}
	return r
}
