package wire

import (
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// Presets of classic bad tokens for MintRequest.Preset.
const (
	PresetExpired        = "expired"
	PresetNotYetValid    = "not_yet_valid"
	PresetWrongIssuer    = "wrong_issuer"
	PresetWrongAudience  = "wrong_audience"
	PresetUnpublishedKey = "unpublished_key"
	PresetUnknownKid     = "unknown_kid"
	PresetBadSignature   = "bad_signature"
	PresetAlgNone        = "alg_none"
	PresetHS256PublicKey = "hs256_public_key"
	PresetMissingExp     = "missing_exp"
)

// Presets lists every preset name.
var Presets = []string{PresetExpired, PresetNotYetValid, PresetWrongIssuer, PresetWrongAudience, PresetUnpublishedKey,
	PresetUnknownKid, PresetBadSignature, PresetAlgNone, PresetHS256PublicKey, PresetMissingExp}

// MintRequest asks for any token (POST /_mock/tokens).
type MintRequest struct {
	// ClientID (optional) - start from the claims this client's token would carry.
	ClientID string `json:"client_id,omitempty"`
	// Scope (optional, with ClientID) - scopes to grant, space-separated; not
	// checked against the client's allowed scopes.
	Scope string `json:"scope,omitempty"`
	// Claims (optional) - claims to add or override; a null value removes one.
	Claims map[string]any `json:"claims,omitempty"`
	// IssuedAt, NotBefore, Expiry (optional) - unix seconds, RFC 3339, or an
	// offset from now such as "+5m" or "-1h".
	IssuedAt  *TimeSpec `json:"iat,omitempty"`
	NotBefore *TimeSpec `json:"nbf,omitempty"`
	Expiry    *TimeSpec `json:"exp,omitempty"`
	// Kid (optional, default the current key) - a published key to sign with.
	Kid string `json:"kid,omitempty"`
	// Preset (optional) - one of the classic bad tokens (see Presets).
	Preset string `json:"preset,omitempty"`
	// Issuer (optional) - overrides iss (default per the project's issuer form).
	Issuer string `json:"iss,omitempty"`
}

// MintResponse is the minted token and what went into it (wire type).
type MintResponse struct {
	Token  string         `json:"token"`
	Kid    string         `json:"kid"`
	Header map[string]any `json:"header"`
	Claims Claims         `json:"claims"`
}

// Claims is a token's payload. encoding/json writes map keys in sorted order,
// which is how real Descope tokens serialise their claims.
type Claims map[string]any

// Presets of POST /_mock/sessions.
const (
	// SessionPresetExpiredSession - the session JWT has expired, the refresh JWT is live.
	SessionPresetExpiredSession = "expired_session"
	// SessionPresetExpiredRefresh - both have expired (the session JWT never outlives the refresh JWT).
	SessionPresetExpiredRefresh = "expired_refresh"
	// SessionPresetLoggedOut - the refresh JWT was logged out: refresh answers 401 E064001.
	SessionPresetLoggedOut = "logged_out"
	// SessionPresetWrongProject - both JWTs name another project ID in iss,
	// which the Descope SDKs refuse (unlike the wrong_issuer token preset).
	SessionPresetWrongProject = "wrong_project"
	// SessionPresetStepUp - a stepped-up session: su:true in both JWTs and
	// every refresh.
	SessionPresetStepUp = "step_up"
	// SessionPresetMFA - a session of two factors: amr is the method and
	// "totp" (the Go SDK's IsMFA holds).
	SessionPresetMFA = "mfa"
	// SessionPresetImpersonated - a session of the user impersonated by
	// Impersonator: act {"sub": the impersonator's user ID}, as
	// /v1/mgmt/impersonate issues it.
	SessionPresetImpersonated = "impersonated"
)

// SessionPresets lists every session preset.
var SessionPresets = []string{SessionPresetExpiredSession, SessionPresetExpiredRefresh, SessionPresetLoggedOut, SessionPresetWrongProject,
	SessionPresetStepUp, SessionPresetMFA, SessionPresetImpersonated}

// OtherProjectID is the project ID of wrong_project tokens.
const OtherProjectID = "P2MockOtherProject0000000009"

// SessionMintRequest asks for a user's session and refresh JWT in one call
// (POST /_mock/sessions).
type SessionMintRequest struct {
	// User (required) - a login ID or user ID.
	User string `json:"user"`
	// Tenant (optional) - the dct, one of the user's tenants.
	Tenant string `json:"tenant,omitempty"`
	// Method (optional, default email) - the login method in amr: email, sms, voice or whatsapp.
	Method string `json:"method,omitempty"`
	// CustomClaims (optional) - added to both tokens and to later refreshes.
	CustomClaims map[string]any `json:"custom_claims,omitempty"`
	// Preset (optional) - one of SessionPresets.
	Preset string `json:"preset,omitempty"`
	// Impersonator (required by the impersonated preset, else refused) - a
	// login ID or user ID of another user.
	Impersonator string `json:"impersonator,omitempty"`
}

// SessionMintResponse is the minted pair and what went into it (wire type).
type SessionMintResponse struct {
	SessionJWT    string `json:"session_jwt"`
	RefreshJWT    string `json:"refresh_jwt"`
	UserID        string `json:"user_id"`
	SessionClaims Claims `json:"session_claims"`
	RefreshClaims Claims `json:"refresh_claims"`
}

// SessionCounts is GET /_mock/sessions (wire type): refresh tokens live and remembered.
type SessionCounts struct {
	Live  int `json:"live"`
	Total int `json:"total"`
}

// ClockState is the mock's clock (wire type of /_mock/clock).
type ClockState struct {
	Now           time.Time `json:"now"`
	Unix          int64     `json:"unix"`
	Frozen        bool      `json:"frozen"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

// KeysState describes the signing keys (wire type of GET /_mock/keys).
type KeysState struct {
	Current     string           `json:"current"`
	Published   []string         `json:"published"`
	Revoked     []string         `json:"revoked"`
	Rotations   uint64           `json:"rotations"`
	Keep        int              `json:"keep"`
	RotateEvery project.Duration `json:"rotate_every"`
}

// RequestRecord is one logged request (wire type).
type RequestRecord struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

// RequestStats is the request counters and recent requests per endpoint (wire type).
type RequestStats struct {
	Counts map[string]int             `json:"counts"`
	Recent map[string][]RequestRecord `json:"recent"`
}

// Fault is a misbehaviour injected into one endpoint of the Descope surface.
type Fault struct {
	// Endpoint - discovery, jwks (or keys), token, exchange, userinfo or license.
	Endpoint string `json:"endpoint"`
	// Status (optional) - answer with this HTTP status and a Descope error body
	// (429 gets the rate-limit body and Retry-After).
	Status int `json:"status,omitempty"`
	// Latency (optional) - wait this long before answering (e.g. "2s").
	Latency project.Duration `json:"latency,omitempty"`
	// EmptyKeys (optional, jwks only) - serve a key set with no keys.
	EmptyKeys bool `json:"empty_keys,omitempty"`
	// Malformed (optional) - serve a 200 whose body is not valid JSON.
	Malformed bool `json:"malformed,omitempty"`
	// RetryAfter (optional) - Retry-After seconds sent with Status (a 429
	// always sends one: at least 1).
	RetryAfter int `json:"retry_after,omitempty"`
	// Count (optional) - apply to the next Count requests; 0 until cleared.
	Count int `json:"count,omitempty"`
}

// ActiveFault describes a fault in force (wire type).
type ActiveFault struct {
	Fault
	// Remaining requests it applies to; -1 until cleared.
	Remaining int `json:"remaining"`
}

// JWKSCache sets the cache headers of the key-set endpoints.
type JWKSCache struct {
	// MaxAge, when positive, is sent as Cache-Control: public, max-age=N (seconds).
	MaxAge int `json:"max_age"`
	// NoStore sends Cache-Control: no-store (wins over MaxAge).
	NoStore bool `json:"no_store"`
	// ETag sends the key set's ETag and answers 304 to a matching If-None-Match.
	ETag bool `json:"etag"`
}

// QueuedLogin is who the next login through the authorization endpoint is,
// as the control plane queued it (POST /_mock/logins): a test drives a
// browser-less code flow without a login_hint or the login page.
type QueuedLogin struct {
	// User - a login ID or user ID of a project user.
	User string `json:"user"`
	// AMR (optional, default ["email"]) - the amr claim of that login.
	AMR []string `json:"amr,omitempty"`
}
