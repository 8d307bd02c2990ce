package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gorilla/mux"
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

// routeLabel is the template of the route r matches, for metrics and logs.
func (s *Server) routeLabel(r *http.Request) string {
	var match mux.RouteMatch
	if s.router.Match(r, &match) && match.MatchErr == nil && match.Route != nil {
		if tmpl, err := match.Route.GetPathTemplate(); err == nil {
			return tmpl
		}
	}
	return unmatchedRoute
}

// observe assigns the request ID, then counts, times and logs the request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		info := &requestInfo{id: id}
		r = r.WithContext(withRequestInfo(r.Context(), info))

		s.metrics.inFlight.Inc()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.metrics.inFlight.Dec()
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			route := info.route
			if route == "" { // refused before routing (401, 503) or no route matched
				route = s.routeLabel(r)
			}
			s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(r.Method, route).Observe(elapsed.Seconds())
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", rec.bytes),
				slog.Duration("duration", elapsed),
				slog.String("remote_addr", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverPanics turns a panic below it into a logged 500, so no panic
// reaches net/http. http.ErrAbortHandler is re-raised: it is how a handler
// asks net/http to drop the connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
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
					if k != http.CanonicalHeaderKey(RequestIDHeader) {
						delete(h, k)
					}
				}
				writeInternalError(rec)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
