package api

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
)

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-ID"

// requestIDHeaderKey is RequestIDHeader in canonical form, the key of its
// http.Header entries: indexing with it skips canonicalising (and
// allocating) the key on every request.
const requestIDHeaderKey = "X-Request-Id"

// maxRequestIDLength bounds an accepted incoming request ID.
const maxRequestIDLength = 128

type requestIDKey struct{}

// requestInfo is what the outermost middleware shares with the layers below
// it through the request context: the request ID, and the route the router
// matched (set by the matched route's handler, so the request is routed
// once).
type requestInfo struct {
	id    string
	route *routeMetrics
}

// RequestID returns the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestIDKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// labelRoute records rm as the request's route before h runs.
func labelRoute(rm *routeMetrics, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(requestIDKey{}).(*requestInfo); ok {
			info.route = rm
		}
		h.ServeHTTP(w, r)
	})
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
// unique and, in practice, unpredictable, at under half the cost of
// crypto/rand (a getrandom call per request). A request ID is a correlation
// handle, not a secret: callers may choose their own.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// LogHandler wraps h so that every record logged with a request's context
// carries that request's ID as the attribute request_id.
func LogHandler(h slog.Handler) slog.Handler {
	return requestIDHandler{Handler: h}
}

type requestIDHandler struct {
	slog.Handler
}

// Handle adds request_id when the context has one.
func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{Handler: h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{Handler: h.Handler.WithGroup(name)}
}
