package mockidp

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// The control plane serves /_mock/: JSON in and out. With an admin token
// set, every call but health and ca.pem needs "Authorization: Bearer <token>". Its
// routes are in routes.go.

// CheckAdminToken reports why token could never match a request's
// Authorization header: blank, white space at either end (HTTP trims it), or
// a control character (HTTP carries none). New refuses such a token too.
func CheckAdminToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return errors.New("the token is blank")
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("the token has a control character (byte %d): no request header could carry it", i)
		}
	}
	if strings.TrimSpace(token) != token {
		return errors.New("the token starts or ends with white space, which HTTP trims from header values")
	}
	return nil
}

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	if s.cfg.AdminToken == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Health, and the CA certificate a client needs before it can
		// trust anything else this mock says (it is public).
		if r.URL.Path == "/_mock/health" || r.URL.Path == "/_mock/ca.pem" {
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

// decodeBody reads a JSON object into dst: a body must be sent as
// application/json (415 otherwise); duplicate keys, unknown fields and
// trailing data are errors; an empty body leaves dst as it is when optional.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	body, err := s.readBody(w, r, mockBadRequest)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return mockBadRequest("a JSON body is required")
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if err := checkDuplicateKeys(body); err != nil {
		return err
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

// checkJSONContentType accepts application/json, with or without parameters.
func checkJSONContentType(ct string) error {
	mediaType, _, err := mime.ParseMediaType(ct)
	if err == nil && mediaType == "application/json" {
		return nil
	}
	got := "no Content-Type"
	if ct != "" {
		got = fmt.Sprintf("Content-Type %q", truncate(ct, 64))
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeMockUnsupportedMedia, Description: "Unsupported media type",
		Message: fmt.Sprintf("the control plane reads JSON bodies only: send Content-Type: application/json (got %s)", got)}
}

// checkDuplicateKeys refuses a key given twice in one object, at any depth,
// naming its path: encoding/json would keep the last one silently. body is
// valid JSON or the decode that follows reports why not.
func checkDuplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// path holds the segments (".key", "[i]") down to the value being read;
	// it is joined only to name a duplicate, so the walk stays linear in the
	// body however deep it nests.
	var path []string
	var walk func(depth int) error
	walk = func(depth int) error {
		if depth > maxJSONDepth {
			return errStopWalk // encoding/json refuses it too, in its own words
		}
		tok, err := dec.Token()
		if err != nil {
			return errStopWalk
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStopWalk
				}
				key, _ := kt.(string)
				path = append(path, "."+key)
				if seen[key] {
					return mockBadRequest("invalid JSON body: duplicate key %q", truncate(strings.TrimPrefix(strings.Join(path, ""), "."), 128))
				}
				seen[key] = true
				if err := walk(depth + 1); err != nil {
					return err
				}
				path = path[:len(path)-1]
			}
			if _, err := dec.Token(); err != nil {
				return errStopWalk
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				path = append(path, "["+strconv.Itoa(i)+"]")
				if err := walk(depth + 1); err != nil {
					return err
				}
				path = path[:len(path)-1]
			}
			if _, err := dec.Token(); err != nil {
				return errStopWalk
			}
		}
		return nil
	}
	if err := walk(0); err != nil && err != errStopWalk {
		return err
	}
	return nil
}

// maxJSONDepth is encoding/json's own nesting limit.
const maxJSONDepth = 10000

// errStopWalk ends checkDuplicateKeys at malformed JSON, which the decoder
// reports in its own words.
var errStopWalk = errors.New("malformed JSON")
