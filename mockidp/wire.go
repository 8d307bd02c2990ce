package mockidp

import (
	"time"

	"github.com/descope-harness/harness/mockidp/wire"
)

// The bodies the mock sends and receives live in package wire
// (mockidp/wire), shared with mockclient; these names keep the importers of
// package mockidp compiling.
type (
	Error               = wire.Error
	Claims              = wire.Claims
	TimeSpec            = wire.TimeSpec
	MintRequest         = wire.MintRequest
	MintResponse        = wire.MintResponse
	SessionMintRequest  = wire.SessionMintRequest
	SessionMintResponse = wire.SessionMintResponse
	SessionCounts       = wire.SessionCounts
	ClockState          = wire.ClockState
	KeysState           = wire.KeysState
	RequestRecord       = wire.RequestRecord
	RequestStats        = wire.RequestStats
	Fault               = wire.Fault
	ActiveFault         = wire.ActiveFault
	JWKSCache           = wire.JWKSCache
	QueuedLogin         = wire.QueuedLogin
	TokenResponse       = wire.TokenResponse
	JWTResponse         = wire.JWTResponse
	UserResponse        = wire.UserResponse
	UserTenantResponse  = wire.UserTenantResponse
	ExchangeResponse    = wire.ExchangeResponse
	MeTenant            = wire.MeTenant
	OutboxMessage       = wire.OutboxMessage
)

// Presets of POST /_mock/tokens and POST /_mock/sessions, and the project ID
// of wrong_project sessions (package wire).
const (
	PresetExpired        = wire.PresetExpired
	PresetNotYetValid    = wire.PresetNotYetValid
	PresetWrongIssuer    = wire.PresetWrongIssuer
	PresetWrongAudience  = wire.PresetWrongAudience
	PresetUnpublishedKey = wire.PresetUnpublishedKey
	PresetUnknownKid     = wire.PresetUnknownKid
	PresetBadSignature   = wire.PresetBadSignature
	PresetAlgNone        = wire.PresetAlgNone
	PresetHS256PublicKey = wire.PresetHS256PublicKey
	PresetMissingExp     = wire.PresetMissingExp

	SessionPresetExpiredSession = wire.SessionPresetExpiredSession
	SessionPresetExpiredRefresh = wire.SessionPresetExpiredRefresh
	SessionPresetLoggedOut      = wire.SessionPresetLoggedOut
	SessionPresetWrongProject   = wire.SessionPresetWrongProject
	SessionPresetStepUp         = wire.SessionPresetStepUp
	SessionPresetMFA            = wire.SessionPresetMFA
	SessionPresetImpersonated   = wire.SessionPresetImpersonated

	OtherProjectID = wire.OtherProjectID

	OutboxOTP           = wire.OutboxOTP
	OutboxMagicLink     = wire.OutboxMagicLink
	OutboxEnchantedLink = wire.OutboxEnchantedLink
)

// Presets and SessionPresets list every preset name.
var (
	Presets        = wire.Presets
	SessionPresets = wire.SessionPresets
)

// Offset returns a TimeSpec of now+d, for Go callers.
func Offset(d time.Duration) *TimeSpec { return wire.Offset(d) }

// At returns a TimeSpec of a fixed instant, for Go callers.
func At(t time.Time) *TimeSpec { return wire.At(t) }
