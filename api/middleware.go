package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// statusRecorder remembers what was written through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}

// requestState is what observe keeps for one request, in one allocation:
// the request's context (its parent plus the requestInfo), the status
// recorder, and the backing array of the X-Request-Id header value.
type requestState struct {
	context.Context
	info     requestInfo
	rec      statusRecorder
	idHeader [1]string
}

// Value returns the request's *requestInfo for requestIDKey{}, else asks
// the parent.
func (s *requestState) Value(key any) any {
	if _, ok := key.(requestIDKey); ok {
		return &s.info
	}
	return s.Context.Value(key)
}

// observe assigns the request ID, then counts, times and logs the request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var id string
		if v := r.Header[requestIDHeaderKey]; len(v) > 0 {
			id = v[0]
		}
		if !saneRequestID(id) {
			id = newRequestID()
		}
		st := &requestState{Context: r.Context(), info: requestInfo{id: id}, rec: statusRecorder{ResponseWriter: w}}
		// One value, in a slice with len == cap: an Add elsewhere copies
		// rather than writes into the state.
		st.idHeader[0] = id
		w.Header()[requestIDHeaderKey] = st.idHeader[:]
		r = r.WithContext(st)

		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			status := st.rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			rm := st.info.route
			if rm == nil { // refused before routing (401, 503) or no route matched
				rm = s.matchRoute(r)
			}
			s.metrics.record(rm, r.Method, status, elapsed.Seconds())
			if !s.logger.Enabled(r.Context(), slog.LevelInfo) {
				return
			}
			route := unmatchedRoute
			if rm != nil {
				route = rm.template
			}
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", st.rec.bytes),
				slog.Duration("duration", elapsed),
				slog.String("remote_addr", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(&st.rec, r)
	})
}

// recoverPanics turns a panic below it into a logged 500, so no panic
// reaches net/http. http.ErrAbortHandler is re-raised: it is how a handler
// asks net/http to drop the connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Below observe, w is already observe's recorder.
		rec, ok := w.(*statusRecorder)
		if !ok {
			rec = &statusRecorder{ResponseWriter: w}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel value compared as net/http does
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.status == 0 {
				// Drop whatever the handler set before it failed.
				h := rec.Header()
				for k := range h {
					if k != requestIDHeaderKey {
						delete(h, k)
					}
				}
				writeInternalError(rec)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
