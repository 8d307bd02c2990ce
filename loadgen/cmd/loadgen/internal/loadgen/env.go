package loadgen

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// NewClient returns an HTTP client that keeps up to workers connections
// alive per host, so a run measures requests, not connection set-up.
func NewClient(workers int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = workers * 2
	t.MaxIdleConnsPerHost = workers * 2
	t.Proxy = nil // loopback only: never through a proxy
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// CheckLoopback refuses a URL whose host is not a loopback address.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want http://host:port", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("URL %q: loadgen only targets loopback addresses", raw)
	}
	return nil
}

// StartMock serves an in-process mockidp (default project, generated keys)
// on 127.0.0.1:0 and returns its URL and a stop function.
func StartMock() (base string, s *mockidp.Server, stop func(), err error) {
	// The fixture keys: a generated key would keep generating its pool in
	// the background while the first scenario runs.
	s, err = mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs()})
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return "", nil, nil, fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), s, func() { _ = srv.Close(); s.Close() }, nil
}
