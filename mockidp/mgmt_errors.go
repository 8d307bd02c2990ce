package mockidp

import "net/http"

// Codes of the management writes (mgmt_user_update.go, mgmt_roles.go,
// mgmt_tenants.go, mgmt_accesskeys.go) the SDKs' sources do not name: the
// mock's choices, listed in the README's choices and in the live drift
// report. An unknown tenant, role, permission or access key is Descope's
// invalid-arguments code (E011004, 400) with a message naming it; a
// duplicate is a 409 with E011409; a disabled user's sign-in or refresh is
// a 401 with E062110 (Descope's code is not in any SDK).
const (
	CodeTenantNotFound = CodeInvalidArgument
	CodeConflict       = "E011409"
	CodeUserDisabled   = "E062110"
)

// userDisabled is the answer to a sign-in or refresh of a disabled user.
func userDisabled() *Error {
	return descopeError(http.StatusUnauthorized, CodeUserDisabled, "User is disabled", "the user is disabled: enable it with /v1/mgmt/user/update/status")
}
