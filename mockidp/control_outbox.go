package mockidp

import (
	"net/http"
)

// ctlOutbox serves /_mock/outbox: GET lists the codes and links the mock
// sent, oldest first ({"messages": [...]}; ?login_id=X keeps those of one
// login ID), DELETE empties it.
func (s *Server) ctlOutbox(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodDelete {
		s.ClearOutbox()
		return noContent(w)
	}
	q := r.URL.Query()
	for k := range q {
		if k != "login_id" {
			return 0, mockBadRequest("unknown query parameter %q: the outbox takes login_id", truncate(k, 64))
		}
	}
	if len(q["login_id"]) > 1 {
		return 0, mockBadRequest("login_id is given %d times: give it once", len(q["login_id"]))
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]any{"messages": s.Outbox(q.Get("login_id"))}), nil
}
