package mockidp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// userBatch is the answer of the users' create and patch batches.
type userBatch struct {
	CreatedUsers []mockidp.UserResponse
	PatchedUsers []mockidp.UserResponse
	FailedUsers  []struct {
		Failure string
		User    mockidp.UserResponse
	}
	AdditionalErrors map[string]string
}

func (b userBatch) failedLogins() []string {
	var out []string
	for _, f := range b.FailedUsers {
		out = append(out, f.User.LoginIDs[0]+" "+f.Failure)
	}
	return out
}

// passwordSignIn answers password sign-in's status and error code ("" on success).
func (s sessionServer) passwordSignIn(loginID, password string) (int, string) {
	s.t.Helper()
	rec := s.do("POST", "/v1/auth/password/signin", "Bearer "+mockidp.DefaultProjectID, `{"loginId":"`+loginID+`","password":"`+password+`"}`)
	var e mockidp.Error
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return rec.Code, e.Code
}

// A batch creates each user as the single create does: roles, tenants,
// custom attributes, test flag, cleartext password; a user that fails (a
// taken login ID, one given twice, an unknown role, a hashed password, a
// TOTP seed) is listed with its reason and does not stop the others.
func TestUserCreateBatch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	var b userBatch
	s.ok(s.do("POST", "/v1/mgmt/user/create/batch", mgmt(), `{"users":[
		{"loginId":"b1@example.com","email":"b1@example.com","displayName":"B One","roleNames":["admin"],
		 "userTenants":[{"tenantId":"`+acme+`","roleNames":["tenant-admin"]}],"customAttributes":{"plan":"gold"},
		 "verifiedEmail":true,"password":"b1-Secret-pass","ssoAppIDs":null,"additionalLoginIds":["b1-alt"]},
		{"loginId":"alice@example.com"},
		{"loginId":"b2@example.com","test":true,"createdTime":1700000000,"status":"disabled"},
		{"loginId":"b2@example.com"},
		{"loginId":"b3@example.com","roleNames":["nope"]},
		{"loginId":"b4@example.com","hashedPassword":{"bcrypt":{"hash":"$2a$10$x"}}},
		{"loginId":"b5@example.com","seed":"JBSWY3DPEHPK3PXP"},
		{"email":"no-login@example.com"}
	],"invite":true,"sendMail":false,"templateOptions":{"k":"v"}}`), &b)
	var created []string
	for _, u := range b.CreatedUsers {
		created = append(created, u.LoginIDs[0])
	}
	if !slices.Equal(created, []string{"b1@example.com", "b2@example.com"}) {
		t.Fatalf("createdUsers %v, want b1 and b2", created)
	}
	wantFailed := []struct{ login, code, says string }{
		{"alice@example.com", mockidp.CodeUserExists, "already exists"},
		{"b2@example.com", mockidp.CodeUserExists, "already exists"},
		{"b3@example.com", mockidp.CodeInvalidArgument, "nope"},
		{"b4@example.com", mockidp.CodeInvalidArgument, "hashedPassword"},
		{"b5@example.com", mockidp.CodeInvalidArgument, "seed"},
		{"", mockidp.CodeMissingArgument, "loginId"},
	}
	if len(b.FailedUsers) != len(wantFailed) {
		t.Fatalf("failedUsers %v, want %d", b.failedLogins(), len(wantFailed))
	}
	for i, w := range wantFailed {
		f := b.FailedUsers[i]
		if f.User.LoginIDs[0] != w.login || !strings.HasPrefix(f.Failure, w.code+": ") || !strings.Contains(f.Failure, w.says) {
			t.Errorf("failedUsers[%d] = %s %q, want %s %s naming %q", i, f.User.LoginIDs, f.Failure, w.login, w.code, w.says)
		}
	}
	if b.AdditionalErrors == nil {
		t.Error("additionalErrors missing, want {}")
	}

	// The batch's user is the single create's: same answer for the same request.
	var single struct{ User mockidp.UserResponse }
	s.ok(s.do("POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"s1@example.com","email":"b1@example.com","displayName":"B One","roleNames":["admin"],
		"userTenants":[{"tenantId":"`+acme+`","roleNames":["tenant-admin"]}],"customAttributes":{"plan":"gold"},"verifiedEmail":true,
		"password":"b1-Secret-pass","additionalLoginIds":["s1-alt"]}`), &single)
	got, want := b.CreatedUsers[0], single.User
	got.UserID, got.LoginIDs, want.UserID, want.LoginIDs = "", nil, "", nil
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("batch-created user\n%s\nwant the single create's\n%s", g, w)
	}
	if !b.CreatedUsers[0].Password || b.CreatedUsers[1].Password {
		t.Errorf("password flags %v %v, want true false", b.CreatedUsers[0].Password, b.CreatedUsers[1].Password)
	}
	if u := b.CreatedUsers[1]; !u.Test || u.Status != "disabled" || u.CreatedTime != 1700000000 {
		t.Errorf("b2: test %v status %q createdTime %d, want a disabled test user created at 1700000000", u.Test, u.Status, u.CreatedTime)
	}
	// The cleartext password signs in; the login IDs are the directory's.
	if code, e := s.passwordSignIn("b1@example.com", "b1-Secret-pass"); code != http.StatusOK {
		t.Errorf("password sign-in of a batch-created user: %d %s", code, e)
	}
	if code, e := s.passwordSignIn("b1-alt", "wrong-pass-123"); code != http.StatusUnauthorized || e != mockidp.CodeWrongPassword {
		t.Errorf("wrong password: %d %s, want 401 %s", code, e, mockidp.CodeWrongPassword)
	}
	var found struct{ Users []mockidp.UserResponse }
	s.ok(s.do("POST", "/v2/mgmt/user/search", mgmt(), `{"emails":["B1@example.com"]}`), &found)
	if len(found.Users) != 2 {
		t.Errorf("email search after the batch: %d users, want b1 and s1", len(found.Users))
	}
}

// Each user of a patch batch is patched as the single patch does, and the
// change shows in the user's next refresh; an unknown user is listed as failed.
func TestUserPatchBatch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var b userBatch
	s.ok(s.do(http.MethodPatch, "/v1/mgmt/user/patch/batch", mgmt(), `{"users":[
		{"loginId":"alice@example.com","roleNames":["admin"],"customAttributes":{"tier":2},"test":true},
		{"loginId":"ghost@example.com","displayName":"Nobody"},
		{"loginId":"`+multiUser+`","status":"disabled"},
		{"loginId":"admin@example.com","ssoAppIds":["app"]}
	]}`), &b)
	if len(b.PatchedUsers) != 2 || b.PatchedUsers[0].LoginIDs[0] != "alice@example.com" || b.PatchedUsers[1].Status != "disabled" {
		t.Fatalf("patchedUsers %+v, want alice and a disabled multi", b.PatchedUsers)
	}
	if fl := b.failedLogins(); len(fl) != 2 || !strings.Contains(fl[0], mockidp.CodeMgmtUserNotFound) || !strings.Contains(fl[1], "ssoAppIds") {
		t.Errorf("failedUsers %v, want ghost (%s) and admin (ssoAppIds)", fl, mockidp.CodeMgmtUserNotFound)
	}
	if got := strs(s.refreshClaims(m.RefreshJWT)["roles"]); !slices.Equal(got, []string{"admin"}) {
		t.Errorf("roles after the patch batch: %v, want [admin]", got)
	}
	if u, _ := s.LookupUser("alice@example.com"); u.Test || u.CustomAttributes["tier"] != float64(2) {
		t.Errorf("alice: test %v attributes %v, want the test flag unchanged and tier 2", u.Test, u.CustomAttributes)
	}
	// POST is accepted as for the single patch.
	s.ok(s.do(http.MethodPost, "/v1/mgmt/user/patch/batch", mgmt(), `{"users":[{"loginId":"alice@example.com","givenName":"Al"}]}`), nil)
}

// Deleting a batch deletes each user as the single delete does (its
// sessions end); one unknown ID deletes none.
func TestUserDeleteBatch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	alice, _ := s.LookupUser("alice@example.com")
	multi, _ := s.LookupUser(multiUser)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	e := s.refused(s.do("POST", "/v1/mgmt/user/delete/batch", mgmt(), `{"userIds":["`+alice.ID+`","U2Ghost"]}`), http.StatusBadRequest, mockidp.CodeMgmtUserNotFound)
	if !strings.Contains(e.Message, "userIds[1]") || !strings.Contains(e.Message, "U2Ghost") {
		t.Errorf("the refusal says %q, want it to name userIds[1] U2Ghost", e.Message)
	}
	if _, ok := s.LookupUser("alice@example.com"); !ok {
		t.Fatal("a refused batch deleted alice")
	}
	s.ok(s.do("POST", "/v1/mgmt/user/delete/batch", mgmt(), `{"userIds":["`+alice.ID+`","`+multi.ID+`","`+alice.ID+`"]}`), nil)
	for _, l := range []string{"alice@example.com", multiUser} {
		if _, ok := s.LookupUser(l); ok {
			t.Errorf("%s survived the batch delete", l)
		}
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(m.RefreshJWT), ""), http.StatusUnauthorized, mockidp.CodeLoggedOut)
}

// users/load answers the users of the IDs asked, in order, once each;
// unknown IDs are left out, disabled users too unless includeInvalidUsers.
func TestUsersLoad(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	alice, _ := s.LookupUser("alice@example.com")
	admin, _ := s.LookupUser("admin@example.com")
	s.mgmtUser("POST", "/v1/mgmt/user/update/status", `{"loginId":"admin@example.com","status":"disabled"}`)
	load := func(body string) []string {
		t.Helper()
		var out struct {
			Users []mockidp.UserResponse
			Total int
		}
		s.ok(s.do("POST", "/v1/mgmt/users/load", mgmt(), body), &out)
		var ids []string
		for _, u := range out.Users {
			ids = append(ids, u.UserID)
		}
		if out.Total != len(ids) {
			t.Errorf("total %d, want %d", out.Total, len(ids))
		}
		return ids
	}
	if got := load(`{"userIds":["` + admin.ID + `","U2Ghost","` + alice.ID + `","` + alice.ID + `"]}`); !slices.Equal(got, []string{alice.ID}) {
		t.Errorf("load: %v, want alice only (admin is disabled)", got)
	}
	if got := load(`{"userIds":["` + admin.ID + `","` + alice.ID + `"],"includeInvalidUsers":true}`); !slices.Equal(got, []string{admin.ID, alice.ID}) {
		t.Errorf("load with includeInvalidUsers: %v, want admin, alice", got)
	}
}

// The single create and update take a cleartext password (password
// sign-in accepts it) and refuse a prehashed one naming the field.
func TestUserCreateAndUpdatePassword(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.mgmtUser("POST", "/v1/mgmt/user/create", `{"loginId":"pw@example.com","password":"first-Pass-1","test":false,"ssoAppIDs":[]}`)
	if code, e := s.passwordSignIn("pw@example.com", "first-Pass-1"); code != http.StatusOK {
		t.Fatalf("sign-in with the created password: %d %s", code, e)
	}
	s.mgmtUser("POST", "/v1/mgmt/user/update", `{"loginId":"pw@example.com","password":"second-Pass-2"}`)
	if code, _ := s.passwordSignIn("pw@example.com", "first-Pass-1"); code != http.StatusUnauthorized {
		t.Errorf("the old password after update: %d, want 401", code)
	}
	if code, e := s.passwordSignIn("pw@example.com", "second-Pass-2"); code != http.StatusOK {
		t.Errorf("the updated password: %d %s", code, e)
	}
	// An update without password keeps it.
	s.mgmtUser("POST", "/v1/mgmt/user/update", `{"loginId":"pw@example.com","displayName":"PW"}`)
	if code, e := s.passwordSignIn("pw@example.com", "second-Pass-2"); code != http.StatusOK {
		t.Errorf("the password after an update without one: %d %s", code, e)
	}
	for _, tc := range []struct{ name, path, body, says string }{
		{"hashed on create", "/v1/mgmt/user/create", `{"loginId":"h@example.com","hashedPassword":{"md5":{"hash":"68f7"}}}`, "hashedPassword"},
		{"hashed on update", "/v1/mgmt/user/update", `{"loginId":"pw@example.com","hashedPassword":{"md5":{"hash":"68f7"}}}`, "hashedPassword"},
		{"short password", "/v1/mgmt/user/create", `{"loginId":"h@example.com","password":"short"}`, "password"},
		{"invited status", "/v1/mgmt/user/create", `{"loginId":"h@example.com","status":"invited"}`, "status"},
		{"sso apps on create", "/v1/mgmt/user/create", `{"loginId":"h@example.com","ssoAppIDs":["a"]}`, "ssoAppIds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sessionServer{t, s.Server}.refused(s.do("POST", tc.path, mgmt(), tc.body), http.StatusBadRequest, mockidp.CodeInvalidArgument)
			if !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	if _, ok := s.LookupUser("h@example.com"); ok {
		t.Error("a refused create stored its user")
	}
}

// Bad batch bodies: a precise 4xx naming what is wrong, never a write.
func TestUserBatchBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	many := `{"userIds":[` + strings.TrimSuffix(strings.Repeat(`"U",`, mockidp.MaxBatchItems+1), ",") + `]}`
	manyUsers := `{"users":[` + strings.TrimSuffix(strings.Repeat(`{},`, mockidp.MaxBatchItems+1), ",") + `]}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, says               string
	}{
		{"create unknown field", "POST", "/v1/mgmt/user/create/batch", `{"users":[{"loginId":"x@example.com","nickname":"x"}]}`, 400, mockidp.CodeBadRequest, "nickname"},
		{"create unknown top field", "POST", "/v1/mgmt/user/create/batch", `{"users":[{"loginId":"x@example.com"}],"dryRun":true}`, 400, mockidp.CodeBadRequest, "dryRun"},
		{"create no users", "POST", "/v1/mgmt/user/create/batch", `{"users":[]}`, 400, mockidp.CodeMissingArgument, "users"},
		{"create too many", "POST", "/v1/mgmt/user/create/batch", manyUsers, 400, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"create wrong type", "POST", "/v1/mgmt/user/create/batch", `{"users":{"loginId":"x"}}`, 400, mockidp.CodeBadRequest, "users"},
		{"create key twice", "POST", "/v1/mgmt/user/create/batch", `{"users":[],"users":[]}`, 400, mockidp.CodeBadRequest, "users"},
		{"create too large", "POST", "/v1/mgmt/user/create/batch", `{"users":[{"loginId":"` + strings.Repeat("a", 70<<10) + `"}]}`, 413, mockidp.CodeTooLarge, "65536"},
		{"patch unknown field", "PATCH", "/v1/mgmt/user/patch/batch", `{"users":[{"loginId":"alice@example.com","nick":"a"}]}`, 400, mockidp.CodeBadRequest, "nick"},
		{"patch none", "PATCH", "/v1/mgmt/user/patch/batch", `{}`, 400, mockidp.CodeMissingArgument, "users"},
		{"delete none", "POST", "/v1/mgmt/user/delete/batch", `{"userIds":null}`, 400, mockidp.CodeMissingArgument, "userIds"},
		{"delete too many", "POST", "/v1/mgmt/user/delete/batch", many, 400, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"delete by login ID", "POST", "/v1/mgmt/user/delete/batch", `{"userIds":["alice@example.com"]}`, 400, mockidp.CodeMgmtUserNotFound, "alice@example.com"},
		{"load none", "POST", "/v1/mgmt/users/load", `{"userIds":[]}`, 400, mockidp.CodeMissingArgument, "userIds"},
		{"load too many", "POST", "/v1/mgmt/users/load", many, 400, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"load unknown field", "POST", "/v1/mgmt/users/load", `{"userIds":["U"],"limit":1}`, 400, mockidp.CodeBadRequest, "limit"},
		{"load GET", "GET", "/v1/mgmt/users/load", ``, 405, mockidp.CodeMethod, "POST"},
	} {
		rec := s.do(tc.method, tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			e := sessionServer{t, s.Server}.refused(rec, tc.status, tc.code)
			if !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	for _, path := range []string{"/v1/mgmt/user/create/batch", "/v1/mgmt/user/delete/batch", "/v1/mgmt/users/load"} {
		s.refused(s.do("POST", path, "Bearer "+mockidp.DefaultProjectID+":wrong", `{}`), http.StatusUnauthorized, mockidp.CodeBadClient)
	}
	if n := len(s.Users()); n != len(mockidp.DefaultProject().Users) {
		t.Errorf("%d users after refused batches, want the project's %d", n, len(mockidp.DefaultProject().Users))
	}
}
