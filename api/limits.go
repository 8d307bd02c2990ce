package api

import "net/http"

// LimitHeaders answers 431 {"detail":"Request header fields too large"}
// when a request's header block is larger than limit bytes, so an oversized
// header gets the API's JSON shape. net/http refuses blocks beyond its own
// http.Server.MaxHeaderBytes before any handler runs, with a plain-text
// body: a server using LimitHeaders sets MaxHeaderBytes above limit (bin/api
// uses twice the limit) so that only absurd blocks meet that.
//
// Tokens that fit under the limit but exceed the validator's token size are
// token failures (401 "malformed token"), as the contract says.
func LimitHeaders(limit int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headerBlockSize(r) > limit {
			writeJSON(w, http.StatusRequestHeaderFieldsTooLarge, detailBody{Detail: "Request header fields too large"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headerBlockSize approximates the request line and headers as sent.
func headerBlockSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + 2 + len(v) + 2
		}
	}
	return n
}
