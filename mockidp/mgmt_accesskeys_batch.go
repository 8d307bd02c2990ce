package mockidp

import "net/http"

// Access-key batches and rotation: /v1/mgmt/accesskey/{activate,
// deactivate,delete}/batch {"ids":[…]} and /v1/mgmt/accesskey/rotate
// {"id"}, with the bodies of GO descope/internal/mgmt/accesskey.go
// (ActivateBatch, DeactivateBatch, DeleteBatch, Rotate), NODE
// lib/management/accesskey.ts and PY descope/management/access_key.py.

// handleAccessKeyBatch serves POST /v1/mgmt/accesskey/activate/batch,
// /deactivate/batch and /delete/batch {"ids":[…]}: {}. Each key changes as
// the single call changes it; the batch is all or nothing (the SDKs say
// only "in a single request"; the mock's choice): an ID of no key the
// management API created is 400 E011004 naming ids[i], and no key changes.
func (s *Server) handleAccessKeyBatch(op string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		req, err := decodeBatch[struct {
			IDs []string `json:"ids"`
		}](s, w, r)
		if err != nil {
			return 0, err
		}
		if err := checkBatchSize("ids", len(req.IDs)); err != nil {
			return 0, err
		}
		if op == "delete" {
			err = s.state.RemoveManagedKeys(req.IDs)
		} else {
			err = s.state.SetManagedKeysActive(req.IDs, op == "activate")
		}
		if err != nil {
			return 0, stateError(err)
		}
		return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
	}
}

// handleAccessKeyRotate serves POST /v1/mgmt/accesskey/rotate {"id"}:
// {"key":{…},"cleartext":"…"} as create answers it (GO Rotate reads both
// through unmarshalCreatedAccessKeyResponse): a new secret for the same
// key (ID, name, roles, tenants, expiry and metadata kept), answered once;
// the previous secret's exchange is refused from then on (GO sdk/mgmt.go:
// "The previous secret stops working as soon as this call returns"). Only
// an active, unexpired key rotates (400 E011004 otherwise). Session JWTs
// the old secret exchanged for stay valid until they expire (the sources
// are silent; JWTs are not recalled).
func (s *Server) handleAccessKeyRotate(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		ID string `json:"id"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if req.ID == "" {
		return 0, missingArgument("id")
	}
	k, cleartext, err := s.state.RotateManagedKey(req.ID)
	if err != nil {
		return 0, stateError(err)
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]any{"key": s.accessKeyResponse(k), "cleartext": cleartext}), nil
}
