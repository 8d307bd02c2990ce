package api

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
)

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLength bounds an accepted incoming request ID.
const maxRequestIDLength = 128

// requestIDKey is the context key of the request ID.
type requestIDKey struct{}

// RequestID returns the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// saneRequestID reports whether a caller-supplied ID is safe to log and
// echo: 1 to 128 characters from [A-Za-z0-9._:-].
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits in hex (32 characters).
//
// The bits come from math/rand/v2's global generator: ChaCha8, per thread,
// seeded by the runtime from the operating system's entropy, so IDs are
// unique and, in practice, unpredictable. A request ID is a correlation
// handle, not a secret: callers may choose their own.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// LogHandler wraps h so that every record logged with a request's context
// carries that request's ID as the attribute request_id, and so that the
// "path" and "method" attributes of every record, the validator's too, are
// bounded and hold no JWT (see logPath).
func LogHandler(h slog.Handler) slog.Handler {
	return logHandler{Handler: h}
}

type logHandler struct {
	slog.Handler
}

// Handle bounds the path and method attributes and adds request_id when
// the context has one.
func (h logHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, rec.Message, rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(boundAttr(a))
		return true
	})
	if id := RequestID(ctx); id != "" {
		out.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, out)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	bounded := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		bounded[i] = boundAttr(a)
	}
	return logHandler{Handler: h.Handler.WithAttrs(bounded)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{Handler: h.Handler.WithGroup(name)}
}
