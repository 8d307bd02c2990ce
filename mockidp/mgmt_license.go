package mockidp

import "net/http"

// handleLicense serves GET /v1/mgmt/license, which SDKs with a management key call at start-up.
func (s *Server) handleLicense(w http.ResponseWriter, r *http.Request) (int, error) {
	return writeBytes(w, http.StatusOK, []byte(`{"rateLimitTier":"tier1"}`)), nil
}
