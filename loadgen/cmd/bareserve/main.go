// Command bareserve is the baseline server of loadgen's child-process
// scenarios: a bare net/http handler answering every request with fixed
// JSON bytes, in its own process and with the same server timeouts as the
// binaries it is compared with.
//
// It reads BARE_ADDR (a loopback host:port) and BARE_BODY (the response
// body) from the environment and serves until interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv("BARE_ADDR"), []byte(os.Getenv("BARE_BODY"))); err != nil {
		fmt.Fprintln(os.Stderr, "bareserve:", err)
		os.Exit(1)
	}
}

// Handler writes body as application/json, as loadgen.ServeBytes does.
func Handler(body []byte) http.Handler {
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
}

func run(ctx context.Context, addr string, body []byte) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("BARE_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("BARE_ADDR %q: want a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// The http.Server timeouts of bin/api's defaults (bin/mockidp's are the
	// same but for a 30s read timeout): each costs the server a deadline per
	// request, so the baseline has them too and the ratio compares handlers.
	srv := &http.Server{Handler: Handler(body), ReadTimeout: 15 * time.Second, ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
