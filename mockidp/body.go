package mockidp

import (
	"errors"
	"io"
	"net/http"
	"strconv"
)

// readBody is the one reader of request bodies: at most Config.MaxBodyBytes
// are read, and a longer body is a 413 (E011413) naming the limit. A read
// that fails otherwise (the client went away, a broken chunked encoding)
// is reported with bad, the surface's 400: badRequest on the Descope and
// OAuth surfaces, mockBadRequest on the control plane.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, bad func(format string, args ...any) *Error) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge(s.cfg.MaxBodyBytes)
		}
		return nil, bad("reading body: %v", err)
	}
	return body, nil
}

// tooLarge is the 413 of a body past limit bytes.
func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Description: "Request is too large", Message: "request body exceeds " + strconv.FormatInt(limit, 10) + " bytes"}
}
