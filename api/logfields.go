package api

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
)

// What a log line takes from a request is bounded: a caller chooses the
// path and the method, and neither may make a line long or put a
// credential in it.
const (
	// maxLoggedPath is the most of a path a log line carries.
	maxLoggedPath = 256
	// maxLoggedMethod is the most of a method a log line carries.
	maxLoggedMethod = 32
	// redactedJWT replaces anything in a logged path that looks like a JWT.
	redactedJWT = "[jwt]"
)

// logPath is the path as a log line shows it: every run that looks like a
// JWT replaced by redactedJWT, then cut to maxLoggedPath bytes with the
// original length noted. logPath(logPath(p)) == logPath(p).
func logPath(path string) string {
	return truncate(redactJWTs(path), maxLoggedPath)
}

// logMethod is the method as a log line shows it, cut to maxLoggedMethod.
func logMethod(method string) string {
	return truncate(method, maxLoggedMethod)
}

// truncate cuts s to at most limit bytes in all, valid UTF-8, saying how long
// it was; what it returns is unchanged by a second call.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	suffix := fmt.Sprintf("...(%d bytes)", len(s))
	return strings.ToValidUTF8(s[:max(limit-len(suffix), 0)], "") + suffix
}

// redactJWTs replaces each maximal run of base64url characters and dots
// that looks like a JWT (see looksLikeJWT) with redactedJWT.
func redactJWTs(s string) string {
	var b strings.Builder
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isJWTByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if run := s[start:i]; looksLikeJWT(run) {
				b.WriteString(redactedJWT)
			} else {
				b.WriteString(run)
			}
			start = -1
		}
		if i < len(s) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// isJWTByte reports whether c can appear in a compact JWS or JWE.
func isJWTByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// looksLikeJWT reports whether run has the compact shape of a JWS (three
// parts) or JWE (five) whose first part decodes to a JSON object, as every
// JOSE header does. A signature part may be empty (alg "none"); file names
// such as "swagger-ui.css" or version strings do not decode to an object.
func looksLikeJWT(run string) bool {
	parts := strings.Split(run, ".")
	if len(parts) != 3 && len(parts) != 5 {
		return false
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	return strings.HasPrefix(strings.TrimLeft(string(header), " \t\r\n"), "{")
}

// boundAttr bounds a record's "path" and "method" attributes, whoever
// logged them, as logPath and logMethod do.
func boundAttr(a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindString {
		return a
	}
	switch a.Key {
	case "path":
		return slog.String(a.Key, logPath(a.Value.String()))
	case "method":
		return slog.String(a.Key, logMethod(a.Value.String()))
	}
	return a
}
