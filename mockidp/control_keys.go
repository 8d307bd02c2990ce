package mockidp

import (
	"errors"
	"net/http"

	"github.com/descope-harness/harness/mockidp/keys"
)

// KeysState reports the current, published and revoked key IDs.
func (s *Server) KeysState() KeysState {
	snap := s.keys.Snapshot()
	return KeysState{
		Current:     snap.Current,
		Published:   snap.Kids,
		Revoked:     append([]string{}, s.keys.Revoked()...),
		Rotations:   s.keys.Rotations(),
		Keep:        s.project.Keys.Keep,
		RotateEvery: s.project.Keys.RotateEvery,
	}
}

// RotateKeys rotates the signing key n times now.
func (s *Server) RotateKeys(n int) error {
	if n < 1 || n > 1000 {
		return mockBadRequest("count must be between 1 and 1000")
	}
	return s.keys.Rotate(n)
}

// RevokeKey removes a published key from the key set at once (rotating first
// when it is the current key).
func (s *Server) RevokeKey(kid string) error {
	if err := s.keys.Revoke(kid); err != nil {
		if errors.Is(err, keys.ErrUnknownKey) {
			return mockNotFound("kid %q is not a published key", truncate(kid, 64))
		}
		return err
	}
	return nil
}

func (s *Server) ctlKeys(w http.ResponseWriter, r *http.Request) (int, error) {
	return writeJSON(w, http.StatusOK, s.KeysState()), nil
}

func (s *Server) ctlRotate(w http.ResponseWriter, r *http.Request) (int, error) {
	req := struct {
		Count int `json:"count"`
	}{Count: 1}
	if err := s.decodeBody(w, r, &req, true); err != nil {
		return 0, err
	}
	if err := s.RotateKeys(req.Count); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, s.KeysState()), nil
}

func (s *Server) ctlRevoke(w http.ResponseWriter, r *http.Request) (int, error) {
	var req struct {
		Kid string `json:"kid"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		return 0, err
	}
	if req.Kid == "" {
		return 0, mockBadRequest("kid is required")
	}
	if err := s.RevokeKey(req.Kid); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, s.KeysState()), nil
}

func (s *Server) ctlJWKSCache(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodPut {
		var c JWKSCache
		if err := s.decodeBody(w, r, &c, false); err != nil {
			return 0, err
		}
		if err := s.SetJWKSCache(c); err != nil {
			return 0, err
		}
	}
	return writeJSON(w, http.StatusOK, s.JWKSCacheSettings()), nil
}
