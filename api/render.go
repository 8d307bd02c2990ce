package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// handlerFunc is an endpoint: it returns the 200 body or a failure, and never
// writes the response itself.
type handlerFunc func(r *http.Request) (any, error)

// serve adapts an endpoint to http.Handler: the body becomes a 200 JSON
// response, a failure goes to writeError.
func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// contentLengths are the Content-Length values of bodies shorter than
// 512 bytes (nearly every API body), built once; like the values below they
// are shared, with len == cap.
var contentLengths = func() (values [512][]string) {
	for n := range values {
		values[n] = []string{strconv.Itoa(n)}
	}
	return values
}()

// contentLength is the Content-Length header value of an n-byte body.
func contentLength(n int) []string {
	if n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
	noSniff         = []string{"nosniff"}
)

// jsonAppender is a body that encodes itself, as json.Marshal would but
// without reflection, appending to b.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// appendBuffers recycles the buffers of self-encoding bodies: w.Write
// copies what it is given, so a buffer is free again once it returns.
// Buffers that grew past maxPooledBuffer are left to the collector.
var appendBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuffer = 4 << 10

// writeJSON writes body as compact JSON with the headers every API response
// carries. A body that cannot be encoded becomes a 500.
func writeJSON(w http.ResponseWriter, status int, body any) {
	var buf []byte
	if a, ok := body.(jsonAppender); ok {
		pooled := appendBuffers.Get().(*[]byte)
		buf = a.appendJSON((*pooled)[:0])
		defer func() {
			if cap(buf) <= maxPooledBuffer {
				*pooled = buf
				appendBuffers.Put(pooled)
			}
		}()
	} else {
		var err error
		buf, err = json.Marshal(body)
		if err != nil {
			status = http.StatusInternalServerError
			buf = []byte(`{"detail":"Internal server error"}`)
		}
	}
	// Canonical keys assigned directly: Header.Set would canonicalise them
	// on every response. The shared value slices have len == cap, so an
	// Add elsewhere copies rather than writes into them.
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	h["Content-Length"] = contentLength(len(buf))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// appendJSONString appends s as a JSON string, escaped exactly as
// encoding/json escapes it (HTML characters, U+2028 and U+2029 as \u
// escapes; invalid UTF-8 as U+FFFD). Printable ASCII that needs no escape
// is appended as it is; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s) // a string always encodes
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
