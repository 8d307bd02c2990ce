package rotation_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// heldTransport lets the mock answer key-set requests, then holds each
// answer until released: a test can keep a fetch in flight after the mock
// has served the key set as it was.
type heldTransport struct {
	hold    atomic.Bool
	fetches atomic.Int64  // key-set requests held so far
	fetched chan struct{} // one signal per held answer
	release chan struct{}
	once    sync.Once
}

func newHeldTransport() *heldTransport {
	return &heldTransport{fetched: make(chan struct{}, 8), release: make(chan struct{})}
}

// Release lets every held answer through and stops holding new ones.
func (t *heldTransport) Release() {
	t.hold.Store(false)
	t.once.Do(func() { close(t.release) })
}

func (t *heldTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !t.hold.Load() || !strings.HasSuffix(r.URL.Path, "/jwks.json") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.fetches.Add(1)
	t.fetched <- struct{}{}
	select {
	case <-t.release:
	case <-r.Context().Done():
	}
	return resp, err
}
