package api

import (
	"errors"
	"net/http"

	"github.com/descope-harness/harness/api/auth"
)

// grantBody is the wire shape of a 403: {"error":"...","status_code":403}.
type grantBody struct {
	Error      string `json:"error"`
	StatusCode int    `json:"status_code"`
}

// AuthErrorRenderer renders the validator's refusals as the API contract
// says: {"detail":...} bodies for 401, 503 and 500, and FastAPI's
// {"error":...,"status_code":403} for a missing role, permission or scope.
// Every refused token gets the same 401 body unless detail is set
// (AUTH_ERROR_DETAIL, development and tests): then the body names the
// reason, "Token validation failed: token has expired". Pass it as
// auth.Config.ErrorRenderer; the validator has set WWW-Authenticate and
// Retry-After before it runs.
func AuthErrorRenderer(detail bool) auth.ErrorRenderer {
	return func(w http.ResponseWriter, _ *http.Request, err error) {
		status := auth.Status(err)
		var grant *auth.GrantError
		switch {
		case errors.Is(err, auth.ErrMissingHeader):
			writeJSON(w, status, detailBody{Detail: "Missing Authorization header"})
		case errors.Is(err, auth.ErrInvalidHeader):
			writeJSON(w, status, detailBody{Detail: "Invalid Authorization header format. Expected: Bearer <token>"})
		case errors.As(err, &grant):
			msg := "Missing required Descope " + grant.Kind + ": " + grant.Name
			if grant.Kind == "scope" {
				msg = "Required scope '" + grant.Name + "' not found"
			}
			writeJSON(w, status, grantBody{Error: msg, StatusCode: status})
		case status == http.StatusUnauthorized && detail:
			writeJSON(w, status, detailBody{Detail: "Token validation failed: " + auth.Cause(err).Error()})
		case status == http.StatusUnauthorized:
			writeJSON(w, status, detailBody{Detail: "Invalid or unauthorized token"})
		case status == http.StatusServiceUnavailable:
			writeJSON(w, status, detailBody{Detail: "Authentication temporarily unavailable"})
		default:
			writeInternalError(w)
		}
	}
}
