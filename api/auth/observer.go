package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
)

// Observer receives what a Validator does, for metrics: every refusal and
// every provider fetch. Each field is optional (nil is not called). Calls
// are made synchronously on the request or fetch path, from any goroutine:
// keep them cheap and safe for concurrent use. The api package's
// Prometheus adapter is an example.
type Observer struct {
	// Refused is called once for every request or token refused by the
	// middleware or Validate, with Reason(err) and err.
	Refused func(reason string, err error)
	// KeySetFetched is called after every key-set fetch with its outcome:
	// "success", "not_modified", "empty", "throttled" or "error".
	KeySetFetched func(outcome string)
	// DiscoveryFetched is called after every discovery fetch with its
	// outcome: "success" or "error".
	DiscoveryFetched func(outcome string)
}

// refused reports a refusal and logs it with attrs (made only when the
// record is logged: a flood of refusals costs no fingerprints).
func (v *Validator) refused(ctx context.Context, msg string, err error, attrs func() []slog.Attr) {
	f, logged := v.cfg.Observer.Refused, v.cfg.Logger.Enabled(ctx, slog.LevelInfo)
	if f == nil && !logged {
		return
	}
	reason := Reason(err)
	if f != nil {
		f(reason, err)
	}
	if logged {
		v.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, msg, append([]slog.Attr{slog.String("reason", reason), errAttr(err)}, attrs()...)...)
	}
}

func (v *Validator) discoveryFetched(err error) {
	if f := v.cfg.Observer.DiscoveryFetched; f != nil {
		outcome := "success"
		if err != nil {
			outcome = "error"
		}
		f(outcome)
	}
}

func errAttr(err error) slog.Attr { return slog.String("error", err.Error()) }

// fingerprint identifies a token in logs without revealing it: the first 8
// bytes of its SHA-256, hex encoded.
func fingerprint(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}
