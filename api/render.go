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

var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
	noSniff         = []string{"nosniff"}
)

// writeJSON writes body as compact JSON with the headers every API response
// carries. A body that cannot be encoded becomes a 500.
func writeJSON(w http.ResponseWriter, status int, body any) {
	buf, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		buf = []byte(`{"detail":"Internal server error"}`)
	}
	// Canonical keys assigned directly: Header.Set would canonicalise them
	// on every response. The shared value slices have len == cap, so an
	// Add elsewhere copies rather than writes into them.
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	h["Content-Length"] = []string{strconv.Itoa(len(buf))}
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}
