package mockidp

import (
	"net/http"
	"strconv"
)

// ctlCACert serves Config.CACertPEM: GET /_mock/ca.pem. Like health it needs
// no admin token: the certificate is public, and a client fetches it to
// trust the mock before sending it anything secret.
func (s *Server) ctlCACert(w http.ResponseWriter, r *http.Request) (int, error) {
	if len(s.cfg.CACertPEM) == 0 {
		return 0, mockNotFound("this mock has no CA certificate to serve: it was started without --tls, or with a certificate of your own (--tls-cert), whose CA is yours")
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-pem-file")
	h.Set("Content-Length", strconv.Itoa(len(s.cfg.CACertPEM)))
	h.Set("Cache-Control", "no-store") // a restarted mock has a new CA
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(s.cfg.CACertPEM)
	}
	return http.StatusOK, nil
}
