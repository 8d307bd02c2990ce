package mockidp

import (
	"net/http"
	"strconv"
)

// The users' batch calls of the management API: /v1/mgmt/user/create/batch,
// /patch/batch, /delete/batch and /v1/mgmt/users/load, with the bodies of GO
// descope/internal/mgmt/user.go (makeCreateUsersBatchRequest,
// makePatchUsersBatchRequest, DeleteBatch, LoadUsers), NODE
// lib/management/user.ts (createBatch, inviteBatch, patchBatch, deleteBatch,
// loadUsers; helpers.ts transformUsersForBatch) and PY
// descope/management/user.py (invite_batch, patch_batch, load_users). Each
// user of a create or patch batch goes through the single call's code path
// (createUser, patchChange and modifyUser) and so through the same state
// writes; the batch answers which users were written and which failed, as
// the SDKs read it (GO descope.UsersBatchResponse, NODE
// CreateOrInviteBatchResponse and PatchUserBatchResponse). Bodies are
// parsed strictly (an unknown field is 400 E011001) and hold at most
// MaxBatchItems items.

// MaxBatchItems is the most items (users, roles, permissions, IDs) one
// batch call of the management API takes; more is 400 E011004 naming it.
// The body is bounded in bytes too (Config.MaxBodyBytes, 413).
const MaxBatchItems = 1000

// checkBatchSize refuses an empty batch (missingArgument naming field) or
// one of more than MaxBatchItems items.
func checkBatchSize(field string, n int) error {
	if n == 0 {
		return missingArgument(field)
	}
	if n > MaxBatchItems {
		return invalidArgument("%s: %d items, over the limit of %d (MaxBatchItems): send several batches", field, n, MaxBatchItems)
	}
	return nil
}

// mgmtBatchUser is one user of /v1/mgmt/user/create/batch: a create
// request plus what only the batch sends.
type mgmtBatchUser struct {
	mgmtUserRequest
	// Seed is a TOTP seed (GO BatchUser.Seed, NODE User.seed): refused
	// when set, the mock has no TOTP.
	Seed *string `json:"seed"`
	// CreatedTime (NODE User.createdTime, Unix seconds) is kept as the
	// user's creation time when above 0.
	CreatedTime int64 `json:"createdTime"`
}

// mgmtUserBatchCreate is the body of /v1/mgmt/user/create/batch. The
// invitation fields are read and not applied: the mock sends no
// invitation, as its single create does not.
type mgmtUserBatchCreate struct {
	Users           []mgmtBatchUser   `json:"users"`
	Invite          bool              `json:"invite"`
	InviteURL       string            `json:"inviteUrl"`
	SendMail        *bool             `json:"sendMail"`
	SendSMS         *bool             `json:"sendSMS"`
	TemplateOptions map[string]string `json:"templateOptions"`
	TemplateID      string            `json:"templateId"`
	Locale          string            `json:"locale"`
}

// batchFailure is one user a batch could not write: the reason (Descope's
// error code and message, the mock's format) and the user as sent.
type batchFailure struct {
	Failure string        `json:"failure"`
	User    *UserResponse `json:"user"`
}

func failure(err error) string {
	e := asError(err)
	return e.Code + ": " + e.Message
}

// decodeBatch checks the management key and reads a batch body strictly
// (an unknown field, a key given twice, trailing data or a wrong type is
// 400 E011001 naming it) with numbers as the single calls read them
// (float64 in custom attributes), so that a user written by a batch is
// exactly one written by the single call.
func decodeBatch[T any](s *Server, w http.ResponseWriter, r *http.Request) (*T, error) {
	if err := s.checkManagementKey(r); err != nil {
		return nil, err
	}
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return nil, err
	}
	dst := new(T)
	if err := decodeJSONBody(body, dst, jsonStrictFloats); err != nil {
		return nil, err
	}
	return dst, nil
}

// handleUserCreateBatch serves POST /v1/mgmt/user/create/batch:
// {"createdUsers":[…],"failedUsers":[{"failure","user"}],"additionalErrors":{}}.
// Users are created in order, each as the single create would (a user
// that fails does not stop the others).
func (s *Server) handleUserCreateBatch(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[mgmtUserBatchCreate](s, w, r)
	if err != nil {
		return 0, err
	}
	if err := checkBatchSize("users", len(req.Users)); err != nil {
		return 0, err
	}
	created := make([]*UserResponse, 0, len(req.Users))
	failed := []batchFailure{}
	for i := range req.Users {
		bu := &req.Users[i]
		u, err := s.createBatchUser(bu)
		if err != nil {
			failed = append(failed, batchFailure{Failure: failure(err), User: s.userResponse(bu.user())})
			continue
		}
		created = append(created, s.userResponse(u))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"createdUsers": created, "failedUsers": failed, "additionalErrors": map[string]string{}}), nil
}

// createBatchUser is createUser for one user of a batch.
func (s *Server) createBatchUser(bu *mgmtBatchUser) (User, error) {
	if bu.Seed != nil && *bu.Seed != "" {
		return User{}, invalidArgument("seed: the mock has no TOTP; leave it out")
	}
	if bu.CreatedTime < 0 {
		return User{}, invalidArgument("createdTime must be Unix seconds, not %d", bu.CreatedTime)
	}
	return s.createUser(&bu.mgmtUserRequest, false, bu.CreatedTime)
}

// handleUserPatchBatch serves PATCH (or POST) /v1/mgmt/user/patch/batch
// {"users":[patch…]}: {"patchedUsers":[…],"failedUsers":[…],"additionalErrors":{}};
// each user is patched as /v1/mgmt/user/patch would, in order.
func (s *Server) handleUserPatchBatch(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		Users []mgmtUserPatch `json:"users"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if err := checkBatchSize("users", len(req.Users)); err != nil {
		return 0, err
	}
	patched := make([]*UserResponse, 0, len(req.Users))
	failed := []batchFailure{}
	for i := range req.Users {
		who, change, err := patchChange(&req.Users[i])
		var u User
		if err == nil {
			u, err = s.modifyUser(who, change)
		}
		if err != nil {
			failed = append(failed, batchFailure{Failure: failure(err), User: s.userResponse(User{LoginIDs: []string{req.Users[i].LoginID}})})
			continue
		}
		patched = append(patched, s.userResponse(u))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patchedUsers": patched, "failedUsers": failed, "additionalErrors": map[string]string{}}), nil
}

// checkUserIDs refuses a list of user IDs holding one that is no user's
// (400 E112102 naming it); it returns the IDs once each, in order.
func (s *Server) checkUserIDs(ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, ok := s.state.UserByID(id); !ok {
			e := mgmtUserNotFound(id)
			e.Message = "userIds[" + strconv.Itoa(i) + "]: " + e.Message
			return nil, e
		}
		out = append(out, id)
	}
	return out, nil
}

// handleUserDeleteBatch serves POST /v1/mgmt/user/delete/batch
// {"userIds":[…]}: {}. Every ID must be a user's (checked before any
// delete: one unknown ID deletes none, the mock's choice); each user is
// then deleted as /v1/mgmt/user/delete does, with everything it held.
func (s *Server) handleUserDeleteBatch(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		UserIDs []string `json:"userIds"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if err := checkBatchSize("userIds", len(req.UserIDs)); err != nil {
		return 0, err
	}
	ids, err := s.checkUserIDs(req.UserIDs)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		// A concurrent delete may have taken one meanwhile: it is gone
		// either way.
		_ = s.RemoveUser(id)
	}
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// handleUsersLoad serves POST /v1/mgmt/users/load {"userIds":[…],
// "includeInvalidUsers"}: {"users":[…],"total":n} (GO LoadUsers reads both,
// NODE loadUsers and PY load_users users). Users come in the order asked,
// once each; IDs of no user are left out (as a search finds no one);
// disabled users only with includeInvalidUsers (NODE: "include
// disabled/expired users").
func (s *Server) handleUsersLoad(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		UserIDs             []string `json:"userIds"`
		IncludeInvalidUsers bool     `json:"includeInvalidUsers"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if err := checkBatchSize("userIds", len(req.UserIDs)); err != nil {
		return 0, err
	}
	users := make([]*UserResponse, 0, len(req.UserIDs))
	for _, id := range dedupe(req.UserIDs) {
		u, ok := s.state.UserByID(id)
		if !ok || u.Disabled && !req.IncludeInvalidUsers {
			continue
		}
		users = append(users, s.userResponse(u))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": users, "total": len(users)}), nil
}
