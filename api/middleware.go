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

// observe assigns the request ID, then counts, times and logs the request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &statusRecorder{ResponseWriter: w}

		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			route := s.routeTemplate(r)
			s.metrics.record(r.Method, route, status, elapsed.Seconds())
			if !s.logger.Enabled(r.Context(), slog.LevelInfo) {
				return
			}
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", logMethod(r.Method)),
				slog.String("path", logPath(r.URL.Path)),
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
				"method", logMethod(r.Method), "path", logPath(r.URL.Path),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.status == 0 {
				// Drop whatever the handler set before it failed.
				h := rec.Header()
				id := h.Get(RequestIDHeader)
				clear(h)
				if id != "" {
					h.Set(RequestIDHeader, id)
				}
				writeInternalError(rec)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
