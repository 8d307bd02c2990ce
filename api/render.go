package api

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// handlerFunc is an endpoint: it returns the 200 body or a failure, and never
// writes the response itself.
type handlerFunc func(r *http.Request) (any, error)

// serve adapts an endpoint to http.Handler: the body becomes a 200 JSON
// response, a failure goes to writeError.
func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// writeJSON writes body as compact JSON (encoding/json) with the headers
// every API response carries. A body that cannot be encoded becomes a 500.
func writeJSON(w http.ResponseWriter, status int, body any) {
	buf, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		buf = []byte(`{"detail":"Internal server error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}
