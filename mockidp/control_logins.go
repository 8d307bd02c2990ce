package mockidp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// ctlLogins serves /_mock/logins: POST queues who the next login through
// the authorization endpoint is ({"user": "<login ID or user ID>", "amr":
// ["pwd"]}), GET lists the queue, DELETE empties it.
func (s *Server) ctlLogins(w http.ResponseWriter, r *http.Request) (int, error) {
	switch r.Method {
	case http.MethodGet:
		return writeJSON(w, http.StatusOK, map[string]any{"logins": s.state.Logins()}), nil
	case http.MethodDelete:
		s.state.ClearLogins()
		return noContent(w)
	}
	var l QueuedLogin
	if err := s.decodeBody(w, r, &l, false); err != nil {
		return 0, err
	}
	if err := s.QueueLogin(l); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"logins": s.state.Logins()}), nil
}

// QueueLogin makes l the login of the next authorization request that does
// not come from the login page (after those queued before it): the code
// goes to the client at once, without the page and whatever the
// login_hint. The user must exist.
func (s *Server) QueueLogin(l QueuedLogin) error {
	if l.User == "" {
		return mockBadRequest("user is required: a login ID or user ID")
	}
	if len(l.AMR) > 16 {
		return mockBadRequest("amr: at most 16 values")
	}
	for i, a := range l.AMR {
		if a == "" || len(a) > 32 || strings.ContainsAny(a, " \t\r\n") {
			return mockBadRequest("amr[%d]: %q must be 1 to 32 characters without spaces", i, truncate(a, 40))
		}
	}
	if err := s.state.QueueLogin(l); errors.Is(err, state.ErrUserNotFound) {
		return mockNotFound("user %q not found", truncate(l.User, 64))
	} else if err != nil {
		return controlError(err)
	}
	return nil
}
