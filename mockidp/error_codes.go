package mockidp

// The error codes the mock answers, one name per code, by code. Where the
// SDKs name a code, the name is cited (GO: go-sdk descope/errors.go; NODE:
// node-sdk lib/errors.ts; WC: descope-js packages/web-component
// src/lib/constants/general.ts); the others are the mock's choice, listed
// in the README's choices. The HTTP
// status beside each is the mock's where Descope's is not recorded. M
// codes are the control plane's.
const (
	CodeServerError      = "E010009" // 500: observed live on server faults
	CodeBadRequest       = "E011001" // 400: malformed request, unsupported grant (GO ErrBadRequest, NODE badRequest)
	CodeMissingArgument  = "E011002" // 400: a required field is missing (GO ErrMissingArguments, NODE missingArguments)
	CodeBadClient        = "E011003" // 401: bad or unknown client, bad access key, invalid token (GO ErrValidationFailure, NODE invalidRequest)
	CodeInvalidArgument  = "E011004" // 400: a field has a value the call cannot use: a scope the client may not have, an unknown tenant, role, permission or access key (GO ErrInvalidArguments, NODE invalidArguments)
	CodeOriginNotAllowed = "E011403" // 403: a browser preflight from an origin not in cors.allowed_origins (mock's choice)
	CodeNotFound         = "E011404" // 404: unknown project or path (mock's choice)
	CodeMethod           = "E011405" // 405: wrong method (mock's choice)
	CodeConflict         = "E011409" // 409: a role, tenant or permission that exists (mock's choice)
	CodeTooLarge         = "E011413" // 413: body too large (mock's choice)
	CodeTestUserLimit    = "E013002" // 400: test users limit exceeded (mock's choice: not in the SDKs)
	CodeInvalidToken     = "E061005" // 401: invalid, expired, forged or wrong-type token (mock's choice: not in the SDKs)
	CodeWrongOTP         = "E061102" // 401: wrong or expired code (GO ErrInvalidOneTimeCode, NODE wrongOTPCode)
	CodeOTPAttempts      = "E061103" // 401: too many wrong codes (NODE tooManyOTPAttempts)
	CodeUserExists       = "E062107" // 400: user already exists (GO ErrUserAlreadyExists)
	CodeUserNotFound     = "E062108" // 400: no user with that login ID, auth calls (NODE userNotFound)
	CodeUserDisabled     = "E062110" // 401: a disabled user's sign-in or refresh (mock's choice)
	CodePasswordExpired  = "E062909" // 401: password sign-in with an expired or temporary password (GO ErrPasswordExpired; the status is the mock's)
	CodePendingLink      = "E062503" // 401: enchanted link not verified yet (GO ErrEnchantedLinkUnauthorized, NODE enchantedLinkPending)
	CodeLoggedOut        = "E064001" // 401: token expired by logout or revoked (GO ErrTokenExpiredByLoggedOut)
	CodeFlowNotFound     = "E102001" // 400: no flow of that ID (mock's choice)
	CodeFlowExecution    = "E103201" // 400: unknown, forged or ended flow execution (mock's choice)
	CodeFlowTimedOut     = "E103205" // 400: the flow execution expired (WC FLOW_TIMED_OUT_ERROR_CODE: restart-on-error restarts the flow)
	CodeFlowStep         = "E103206" // 400: a flow step that is not the current one, or a replay (mock's choice)
	CodeFlowInteraction  = "E103207" // 400: no such button on the current screen (mock's choice)
	CodeFlowFailed       = "E103300" // 400: the flow ended in a fail action (mock's choice)
	CodeMgmtUserNotFound = "E112102" // 400: no such user, management calls (GO ErrManagementUserNotFound)
	CodeRateLimited      = "E130429" // 429: rate limited (GO ErrRateLimitExceeded)

	CodeMockBadRequest       = "M000400" // 400: a bad control-plane request
	CodeMockAuth             = "M000401" // 401: the admin token is missing or wrong
	CodeMockNotFound         = "M000404" // 404: no such control-plane object or call
	CodeMockLimit            = "M000409" // 409: a store holds as much as its limit allows (count or bytes)
	CodeMockUnsupportedMedia = "M000415" // 415: a control-plane body not sent as application/json
)
