package mockidp

// The operations on a user that span stores. What each ends (README,
// "What logout, revoke and delete end"):
//
//   - endSessions (POST /v1/auth/logoutall, POST /v1/mgmt/user/logout,
//     POST /_mock/sessions/revoke, RevokeSessions): the user's Descope
//     refresh JWTs, its OAuth refresh-token families at every client with
//     the access tokens they were issued, and its authorization codes not
//     yet exchanged. Pending OTP codes, links and queued logins stay: they
//     are sign-ins not yet made.
//   - removeUsers (POST /v1/mgmt/user/delete, DELETE
//     /v1/mgmt/user/test/delete/all, DELETE /_mock/users/…, RemoveUser):
//     the user and all of the above, its pending codes and links, its
//     messages in the outbox and its queued logins. Its user ID is never given again until a reset.

// endSessions ends what a user holds (see above) and returns how many
// Descope sessions and OAuth families were live.
func (s *Server) endSessions(userID string) int {
	n := s.sessions.logoutUser(userID)
	n += s.oidc.ledger.revokeUser(userID, "")
	s.oidc.codes.dropUser(userID)
	return n
}

// forgetUsers ends everything the users held once they are out of the
// directory, their messages in the outbox included.
func (s *Server) forgetUsers(users []User) {
	for _, u := range users {
		s.endSessions(u.ID)
		s.codes.dropUser(u.ID)
		s.outbox.dropUser(u.ID, u.LoginIDs)
		s.oidc.queue.dropUser(u.ID)
	}
}
