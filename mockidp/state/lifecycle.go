package state

// The operations on a user that span stores. Each takes the locks of every
// store it changes, in the package's lock order, and holds them to the
// end: no other operation sees it half done. What each ends (README, "What
// logout, revoke and delete end"):
//
//   - EndSessions (POST /v1/auth/logoutall, POST /v1/mgmt/user/logout,
//     POST /_mock/sessions/revoke): the user's Descope refresh JWTs, its
//     OAuth refresh-token families at every client with the access tokens
//     they were issued, and its authorization codes not yet exchanged.
//     Pending OTP codes, links and queued logins stay: they are sign-ins
//     not yet made.
//   - RemoveUser, RemoveTestUsers (POST /v1/mgmt/user/delete, DELETE
//     /v1/mgmt/user/test/delete/all, DELETE /_mock/users/…): the user and
//     all of the above, its pending codes and links, its messages in the
//     outbox and its queued logins. Its user ID is never given again until
//     a reset.

// EndSessions ends what a user holds (see above) and returns how many
// Descope sessions and OAuth families were live.
func (st *State) EndSessions(userID string) int {
	st.sessions.mu.Lock()
	defer st.sessions.mu.Unlock()
	st.authCodes.mu.Lock()
	defer st.authCodes.mu.Unlock()
	st.families.mu.Lock()
	defer st.families.mu.Unlock()
	return st.endSessionsLocked(map[string]bool{userID: true})
}

// endSessionsLocked is EndSessions for a set of users, with the sessions',
// authorization codes' and families' locks held.
func (st *State) endSessionsLocked(users map[string]bool) int {
	n := st.sessions.logoutUsersLocked(users)
	n += st.families.revokeUsersLocked(users, "")
	st.authCodes.dropUsersLocked(users)
	return n
}

// EndClientSessions revokes the user's refresh-token families at one
// client (OIDC RP-initiated logout) and returns how many were live.
func (st *State) EndClientSessions(userID, clientID string) int {
	st.families.mu.Lock()
	defer st.families.mu.Unlock()
	return st.families.revokeUsersLocked(map[string]bool{userID: true}, clientID)
}

// RemoveUser deletes a user (by login ID or user ID) and ends everything it
// held (see above); ErrUserNotFound when there is none.
func (st *State) RemoveUser(loginOrUserID string) (User, error) {
	st.lockAll()
	defer st.unlockAll()
	u, err := st.users.takeLocked(loginOrUserID)
	if err != nil {
		return User{}, err
	}
	st.forgetLocked([]User{u})
	return u, nil
}

// RemoveTestUsers deletes every test user and ends everything they held,
// and returns them.
func (st *State) RemoveTestUsers() []User {
	st.lockAll()
	defer st.unlockAll()
	removed := st.users.takeTestsLocked()
	st.forgetLocked(removed)
	return removed
}

// forgetLocked ends everything the users held once they are out of the
// directory, walking each store once.
func (st *State) forgetLocked(removed []User) {
	if len(removed) == 0 {
		return
	}
	users := make(map[string]bool, len(removed))
	loginIDs := make(map[string]bool, len(removed))
	for _, u := range removed {
		users[u.ID] = true
		for _, l := range u.LoginIDs {
			loginIDs[l] = true
		}
	}
	st.endSessionsLocked(users)
	st.codes.dropUsersLocked(users)
	st.outbox.dropUsersLocked(users, loginIDs)
	st.logins.dropUsersLocked(users)
}
