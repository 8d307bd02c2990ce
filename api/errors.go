package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// Failures a handler returns; writeError renders each one.
var (
	// ErrNotFound means no route matches the path (404).
	ErrNotFound = errors.New("not found")
	// ErrMethodNotAllowed means a route matches the path but not the method (405).
	ErrMethodNotAllowed = errors.New("method not allowed")
)

// MissingQueryError reports required query parameters that the request
// lacks (422), in the order the endpoint declares them.
type MissingQueryError struct {
	// Params names the missing query parameters.
	Params []string
}

// Error implements error.
func (e *MissingQueryError) Error() string {
	return "missing query parameters: " + strings.Join(e.Params, ", ")
}

// detailBody is the wire shape of the framework-level errors:
// {"detail":"..."}.
type detailBody struct {
	Detail string `json:"detail"`
}

// validationItem is one element of a 422 body, as FastAPI/pydantic write it.
type validationItem struct {
	Type string   `json:"type"`
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
}

// validationBody is the wire shape of a 422: {"detail":[{...}]}.
type validationBody struct {
	Detail []validationItem `json:"detail"`
}

// allowedMethods lists, for the 405 Allow header, the methods that have a
// route matching r's path.
func (s *Server) allowedMethods(r *http.Request) string {
	var allowed []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		probe := r.Clone(r.Context())
		probe.Method = method
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allowed = append(allowed, method)
		}
	}
	return strings.Join(allowed, ", ")
}

// writeError is the one place that turns a handler failure into a response.
// Unknown errors become a 500 whose body reveals nothing; the cause is logged.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var missing *MissingQueryError
	switch {
	case errors.Is(err, ErrNotFound):
		writeJSON(w, http.StatusNotFound, detailBody{Detail: "Not Found"})
	case errors.Is(err, ErrMethodNotAllowed):
		if allow := s.allowedMethods(r); allow != "" {
			w.Header().Set("Allow", allow)
		}
		writeJSON(w, http.StatusMethodNotAllowed, detailBody{Detail: "Method Not Allowed"})
	case errors.As(err, &missing):
		body := validationBody{Detail: make([]validationItem, 0, len(missing.Params))}
		for _, p := range missing.Params {
			body.Detail = append(body.Detail, validationItem{Type: "missing", Loc: []string{"query", p}, Msg: "Field required"})
		}
		writeJSON(w, http.StatusUnprocessableEntity, body)
	default:
		s.logger.ErrorContext(r.Context(), "request failed", "method", logMethod(r.Method), "path", logPath(r.URL.Path), "error", err)
		writeInternalError(w)
	}
}

// writeInternalError renders the contract's 500 body.
func writeInternalError(w http.ResponseWriter) {
	writeJSON(w, http.StatusInternalServerError, detailBody{Detail: "Internal server error"})
}
