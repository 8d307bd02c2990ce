package wire

import "time"

// OutboxMessage is one code or link the mock "sent" (GET /_mock/outbox):
// instead of an email or a text message, a test reads it here.
type OutboxMessage struct {
	// ID is the message's place in the outbox: increasing, never reused
	// until a reset.
	ID int64 `json:"id"`
	// LoginID is the login ID the sign-in was started for.
	LoginID string `json:"login_id"`
	// Method is the delivery method: email, sms, voice, whatsapp or im.
	Method string `json:"method"`
	// Kind is what was sent: "otp", "magiclink" or "enchantedlink".
	Kind string `json:"kind"`
	// To is the address it went to (the user's email or phone, unmasked).
	To string `json:"to,omitempty"`
	// Code is the OTP code (kind otp).
	Code string `json:"code,omitempty"`
	// Link is the link to open and Token its token (the t query
	// parameter), for magic and enchanted links.
	Link  string `json:"link,omitempty"`
	Token string `json:"token,omitempty"`
	// LinkID is the number an enchanted-link sign-in showed the user
	// (linkId of its answer).
	LinkID string `json:"link_id,omitempty"`
	// SentAt is when it was sent, on the mock's clock.
	SentAt time.Time `json:"sent_at"`
}

// Kinds of outbox messages.
const (
	OutboxOTP           = "otp"
	OutboxMagicLink     = "magiclink"
	OutboxEnchantedLink = "enchantedlink"
)
