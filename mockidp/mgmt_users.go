package mockidp

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// checkManagementKey authenticates a management call as Descope does:
// Authorization: Bearer {projectId}:{managementKey}. A missing or wrong key
// gets a 401 with a Descope error body (E011003, the mock's code for bad
// credentials).
func (s *Server) checkManagementKey(r *http.Request) error {
	secret, err := s.bearerParts(r, ":{managementKey}")
	if err != nil {
		return err
	}
	if secret == "" {
		return badClient("a management key is required: Authorization: Bearer {projectId}:{managementKey}")
	}
	ok := false
	for _, k := range s.project.ManagementKeys {
		if subtle.ConstantTimeCompare([]byte(secret), []byte(k.Secret)) == 1 {
			ok = true
		}
	}
	if !ok {
		return badClient("invalid management key")
	}
	return nil
}

// mgmtUserRequest is the body of user create (wire type; GO
// makeCreateUserRequest, NODE user.create/createTestUser, PY
// _compose_create_body) and the fields of user update and of each user of
// the batch create. password, hashedPassword and status are what the
// Python SDK (_compose_update_body, create's status) and each SDK's batch
// user send; ssoAppIds is spelled ssoAppIDs by the Go and Python SDKs
// (JSON field names match case-insensitively).
type mgmtUserRequest struct {
	LoginID            string           `json:"loginId"`
	Email              string           `json:"email"`
	Phone              string           `json:"phone"`
	Name               string           `json:"name"`
	DisplayName        string           `json:"displayName"`
	GivenName          string           `json:"givenName"`
	MiddleName         string           `json:"middleName"`
	FamilyName         string           `json:"familyName"`
	Picture            string           `json:"picture"`
	RoleNames          []string         `json:"roleNames"`
	UserTenants        []mgmtUserTenant `json:"userTenants"`
	CustomAttributes   map[string]any   `json:"customAttributes"`
	VerifiedEmail      *bool            `json:"verifiedEmail"`
	VerifiedPhone      *bool            `json:"verifiedPhone"`
	AdditionalLoginIDs []string         `json:"additionalLoginIds"`
	Test               bool             `json:"test"`
	SSOAppIDs          []string         `json:"ssoAppIds"`
	Password           *string          `json:"password"`
	HashedPassword     json.RawMessage  `json:"hashedPassword"`
	Status             *string          `json:"status"`
}

type mgmtUserTenant struct {
	TenantID  string   `json:"tenantId"`
	RoleNames []string `json:"roleNames"`
}

// user turns a create request into a User.
func (req mgmtUserRequest) user() User {
	name := req.DisplayName
	if name == "" {
		name = req.Name
	}
	if name == "" {
		name = joinNames(req.GivenName, req.MiddleName, req.FamilyName)
	}
	u := User{
		LoginIDs: append([]string{req.LoginID}, req.AdditionalLoginIDs...), Name: name, Email: req.Email, Phone: req.Phone,
		GivenName: req.GivenName, MiddleName: req.MiddleName, FamilyName: req.FamilyName, Picture: req.Picture,
		Test: req.Test, Roles: req.RoleNames, CustomAttributes: req.CustomAttributes,
		VerifiedEmail: req.VerifiedEmail != nil && *req.VerifiedEmail, VerifiedPhone: req.VerifiedPhone != nil && *req.VerifiedPhone,
	}
	for _, t := range req.UserTenants {
		u.Tenants = append(u.Tenants, UserTenant{TenantID: t.TenantID, Roles: t.RoleNames})
	}
	return u
}

// apply sets what a create or update request says besides the user's
// fields: a cleartext password (as password sign-up stores it, checked by
// password sign-in), and the status. What the mock cannot model is
// refused naming the field: SSO applications, prehashed passwords (the
// mock verifies cleartext only), statuses other than enabled and disabled.
func (req *mgmtUserRequest) apply(u *User) error {
	if len(req.SSOAppIDs) > 0 {
		return noSSOApps()
	}
	if h := string(req.HashedPassword); h != "" && h != "null" {
		return invalidArgument("hashedPassword: the mock cannot verify prehashed passwords; send a cleartext password instead, or none")
	}
	if req.Password != nil && *req.Password != "" {
		if err := checkPasswordLength(*req.Password); err != nil {
			return err
		}
		u.Password, u.PasswordExpired = *req.Password, false
	}
	disabled, err := parseStatus(req.Status)
	if err != nil {
		return err
	}
	if disabled != nil {
		u.Disabled = *disabled
	}
	return nil
}

// createUser stores the new user of a create request: the one code path of
// POST /v1/mgmt/user/create, /create/test and each user of /create/batch.
// test makes it a test user whatever the request says; created (Unix
// seconds, 0 for now) is its creation time.
func (s *Server) createUser(req *mgmtUserRequest, test bool, created int64) (User, error) {
	if req.LoginID == "" {
		return User{}, missingArgument("loginId")
	}
	u := req.user()
	u.Test = u.Test || test
	u.CreatedTime = created
	if err := req.apply(&u); err != nil {
		return User{}, err
	}
	stored, _, err := s.state.PutUser(u, false)
	if err != nil {
		return User{}, stateError(err)
	}
	return stored, nil
}

// handleUserCreate serves POST /v1/mgmt/user/create and (test true)
// /v1/mgmt/user/create/test: {"user": …}.
func (s *Server) handleUserCreate(test bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req mgmtUserRequest
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		stored, err := s.createUser(&req, test, 0)
		if err != nil {
			return 0, err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"user": s.userResponse(stored)}), nil
	}
}

// handleUserLoad serves GET /v1/mgmt/user?loginId= or ?userId=: {"user": …}.
func (s *Server) handleUserLoad(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	q := r.URL.Query()
	var u User
	var ok bool
	switch loginID, userID := q.Get("loginId"), q.Get("userId"); {
	case loginID != "":
		u, ok = s.state.UserByLoginID(loginID)
		if !ok {
			return 0, mgmtUserNotFound(loginID)
		}
	case userID != "":
		u, ok = s.state.UserByID(userID)
		if !ok {
			return 0, mgmtUserNotFound(userID)
		}
	default:
		return 0, missingArgument("loginId or userId")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": s.userResponse(u)}), nil
}

// namedUser reads {"loginId"} or {"userId"} and finds that user (the
// management key checked first).
func (s *Server) namedUser(w http.ResponseWriter, r *http.Request) (User, error) {
	if err := s.checkManagementKey(r); err != nil {
		return User{}, err
	}
	var req struct {
		LoginID string `json:"loginId"`
		UserID  string `json:"userId"`
	}
	if err := s.decodeDescope(w, r, &req); err != nil {
		return User{}, err
	}
	var u User
	var ok bool
	switch {
	case req.LoginID != "":
		u, ok = s.state.UserByLoginID(req.LoginID)
	case req.UserID != "":
		u, ok = s.state.UserByID(req.UserID)
	default:
		return User{}, missingArgument("loginId or userId")
	}
	if !ok {
		return User{}, mgmtUserNotFound(req.LoginID + req.UserID)
	}
	return u, nil
}

// handleUserLogout serves POST /v1/mgmt/user/logout {"loginId"|"userId"}
// (GO LogoutUser, NODE user.logout): every session of the user ends
// (endSessions: Descope and OAuth), and refresh answers 401 E064001
// afterwards. sessionTypes is not read.
func (s *Server) handleUserLogout(w http.ResponseWriter, r *http.Request) (int, error) {
	u, err := s.namedUser(w, r)
	if err != nil {
		return 0, err
	}
	s.state.EndSessions(u.ID)
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// handleUserDelete serves POST /v1/mgmt/user/delete {"loginId"|"userId"}:
// the user and everything it held are gone (RemoveUser).
func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request) (int, error) {
	u, err := s.namedUser(w, r)
	if err != nil {
		return 0, err
	}
	if err := s.RemoveUser(u.ID); err != nil {
		return 0, mgmtUserNotFound(u.ID)
	}
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// handleDeleteTestUsers serves DELETE /v1/mgmt/user/test/delete/all.
func (s *Server) handleDeleteTestUsers(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	s.state.RemoveTestUsers()
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// handleUserSearch serves POST /v1/mgmt/user/search, /v2/mgmt/user/search
// and (testOnly) /v2/mgmt/user/search/test: {"users":[…],"total":n}, the
// page the request asks for of the users it matches (mgmt_user_search.go).
func (s *Server) handleUserSearch(testOnly bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		body, err := s.readDescopeBody(w, r)
		if err != nil {
			return 0, err
		}
		q, err := parseUserSearch(body, testOnly)
		if err != nil {
			return 0, err
		}
		matched := s.state.SearchUsers(q.indexFilter(), q.match)
		sortUsers(matched, q.sort)
		start, end := q.window(len(matched))
		users := make([]*UserResponse, 0, end-start)
		for _, u := range matched[start:end] {
			users = append(users, s.userResponse(*u))
		}
		return writeJSON(w, http.StatusOK, map[string]any{"users": users, "total": len(matched)}), nil
	}
}
