package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"
)

const (
	debug = slog.LevelDebug
	info  = slog.LevelInfo
	warn  = slog.LevelWarn
)

func errAttr(err error) slog.Attr { return slog.String("error", err.Error()) }

func stringAttr(key, value string) slog.Attr { return slog.String(key, value) }

func durationAttr(key string, d time.Duration) slog.Attr { return slog.Duration(key, d) }

// fingerprint identifies a token in logs without revealing it: the first 8
// bytes of its SHA-256, hex encoded.
func fingerprint(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}
