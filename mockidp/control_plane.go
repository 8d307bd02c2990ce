package mockidp

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// The control plane serves /_mock/: JSON in and out. With an admin token
// set, every call but health needs "Authorization: Bearer <token>". Its
// routes are in routes.go.

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	if s.cfg.AdminToken == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_mock/health" {
			next.ServeHTTP(w, r)
			return
		}
		got := []byte(r.Header.Get("Authorization"))
		if len(got) > 7 && strings.EqualFold(string(got[:7]), "bearer ") {
			copy(got[:7], "Bearer ")
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockidp"`)
			writeError(w, &Error{Status: http.StatusUnauthorized, Code: CodeMockAuth, Description: "Unauthorized",
				Message: "the control plane needs Authorization: Bearer <admin token>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) ctlHealth(w http.ResponseWriter, r *http.Request) (int, error) {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"}), nil
}

func (s *Server) ctlReset(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.Reset(); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "reset"}), nil
}

func handleNoControlCall(w http.ResponseWriter, r *http.Request) (int, error) {
	return 0, mockNotFound("no control-plane call %s %s", r.Method, truncate(r.URL.Path, 128))
}

// noContent answers 204.
func noContent(w http.ResponseWriter) (int, error) {
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

// decodeBody reads a JSON object into dst: unknown fields and trailing data
// are errors; an empty body leaves dst as it is when optional.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e := tooLarge(s.cfg.MaxBodyBytes)
			e.Code = CodeTooLarge
			return e
		}
		return mockBadRequest("reading body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return mockBadRequest("a JSON body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return mockBadRequest("invalid JSON body: %s", describeJSONError(err, body, dst))
	}
	// Anything after the object but white space is an error; dec.More
	// would miss a stray ']' or '}'.
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return mockBadRequest("invalid JSON body: trailing data after the object at byte %d", dec.InputOffset())
	}
	return nil
}
