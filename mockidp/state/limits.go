package state

import "time"

// Bounds of the run-time stores (README, "Limits"). Each store refuses a
// new entry past its count or byte limit with a sentinel that wraps
// ErrLimit, after forgetting what it may (expired, used, ended or revoked
// entries). Package mockidp re-exports them under the same names.
const (
	// MaxSessions bounds the refresh tokens the mock remembers (live, or
	// ended but not yet forgotten): twice the 100,000 live sessions of the
	// memory benchmark. At the limit expired and ended ones are forgotten
	// first; a login is refused only when every one held is live.
	MaxSessions = 200_000
	// MaxSessionBytes bounds the bytes the remembered refresh tokens take
	// (an estimate: 160 bytes each plus their user ID, tenant and custom
	// claims as JSON): with project.MaxClaimsBytes of custom claims each,
	// 4,000 of them fill it.
	MaxSessionBytes = 64 << 20
	// MaxAuthorizationCodes and MaxAuthorizationCodeBytes bound the
	// authorization codes outstanding (an estimate: 256 bytes each plus what
	// the login granted: redirect URI, scopes, nonce, challenge, amr). At the
	// limit expired and used codes are forgotten first.
	MaxAuthorizationCodes     = 100_000
	MaxAuthorizationCodeBytes = 64 << 20
	// MaxRefreshFamilies and MaxRefreshFamilyBytes bound the OAuth
	// refresh-token families (an estimate: 256 bytes each plus the grant and
	// the digests of its tokens). At the limit expired and revoked families
	// are forgotten first.
	MaxRefreshFamilies    = 100_000
	MaxRefreshFamilyBytes = 64 << 20
	// MaxFamilyTokens bounds the refresh and access tokens one family
	// remembers: the newest refresh tokens (older rotated-away ones are then
	// unknown rather than reused) and the access tokens not yet expired.
	MaxFamilyTokens = 64
	// MaxRevokedAccessTokens bounds the access tokens revoked one by one
	// (RFC 7009) and not yet expired.
	MaxRevokedAccessTokens = 100_000
	// MaxQueuedLogins bounds the queue of next logins (POST /_mock/logins).
	MaxQueuedLogins = 1000
	// MaxUserBytes bounds one user as JSON (login IDs, names, custom
	// attributes, roles, tenants); MaxUserLoginIDs its login IDs;
	// MaxDirectoryBytes all users together.
	MaxUserBytes      = 16 << 10
	MaxUserLoginIDs   = 100
	MaxDirectoryBytes = 64 << 20
	// MaxPendingCodes and MaxPendingCodeBytes bound the codes pending at
	// once (OTP codes, magic and enchanted links, sign-ins started); at the
	// limit expired ones are forgotten first.
	MaxPendingCodes     = 100_000
	MaxPendingCodeBytes = 64 << 20
	// MaxOutboxMessages and MaxOutboxBytes bound the outbox: at the limit,
	// messages whose code or link has expired are forgotten first; a
	// sign-in is refused only when every message held is still usable.
	MaxOutboxMessages = 10_000
	MaxOutboxBytes    = 16 << 20
)

// AuthorizationCodeTTL is how long an authorization code can be exchanged,
// on the mock's clock. RFC 6749 §4.1.2 recommends at most ten minutes;
// Descope's value is not published.
const AuthorizationCodeTTL = 5 * time.Minute

// maxOTPAttempts is how many wrong OTP codes void a code (Descope: "too
// many attempts").
const maxOTPAttempts = 5
