package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/tlsca"
)

// HTTPS for serve: --tls makes a CA and a serving certificate at start
// (mockidp/tlsca), or --tls-cert and --tls-key serve the user's own.

// usesTLS reports whether serve serves HTTPS.
func (c *serveConfig) usesTLS() bool { return c.TLS || c.TLSCert != "" || c.TLSKey != "" }

// checkTLS refuses TLS settings that contradict each other; it runs when the
// flags are parsed, before anything is read or listens.
func (c *serveConfig) checkTLS() error {
	switch {
	case c.TLSCert != "" && c.TLSKey == "":
		return errors.New("--tls-cert (MOCKIDP_TLS_CERT) needs --tls-key (MOCKIDP_TLS_KEY), the certificate's private key")
	case c.TLSKey != "" && c.TLSCert == "":
		return errors.New("--tls-key (MOCKIDP_TLS_KEY) needs --tls-cert (MOCKIDP_TLS_CERT), the certificate it belongs to")
	case c.TLSCert != "" && c.TLSCAOut != "":
		return errors.New("--tls-ca-out (MOCKIDP_TLS_CA_OUT) writes the CA the mock generates; with --tls-cert (MOCKIDP_TLS_CERT) none is generated (your certificate's CA is yours)")
	case c.TLSCert != "" && c.TLSHosts != "":
		return errors.New("--tls-hosts (MOCKIDP_TLS_HOSTS) names hosts for the certificate the mock generates; with --tls-cert (MOCKIDP_TLS_CERT) your certificate names its own")
	case !c.usesTLS() && c.TLSCAOut != "":
		return errors.New("--tls-ca-out (MOCKIDP_TLS_CA_OUT) has no effect without --tls (MOCKIDP_TLS=true)")
	case !c.usesTLS() && c.TLSHosts != "":
		return errors.New("--tls-hosts (MOCKIDP_TLS_HOSTS) has no effect without --tls (MOCKIDP_TLS=true)")
	}
	if c.usesTLS() && strings.HasPrefix(c.PublicURL, "http://") {
		return fmt.Errorf("--public-url (MOCKIDP_PUBLIC_URL): %q says http, but the mock serves https (--tls): issuers and discovery URLs would name a scheme nobody can reach", c.PublicURL)
	}
	return nil
}

// serverTLS is the TLS configuration serve listens with, and the PEM of the
// generated CA (nil for a certificate of the user's own). The CA's PEM is
// written to --tls-ca-out before this returns, so a script that waits for
// the port can read it.
func (c *serveConfig) serverTLS(now time.Time) (*tls.Config, []byte, error) {
	var cert tls.Certificate
	var caPEM []byte
	if c.TLSCert != "" {
		chain, err := tlsca.ReadCertificates(c.TLSCert)
		if err != nil {
			return nil, nil, fmt.Errorf("--tls-cert (MOCKIDP_TLS_CERT): %w", err)
		}
		key, err := tlsca.ReadPrivateKey(c.TLSKey)
		if err != nil {
			return nil, nil, fmt.Errorf("--tls-key (MOCKIDP_TLS_KEY): %w", err)
		}
		if cert, err = tlsca.Pair(chain, key, now); err != nil {
			return nil, nil, fmt.Errorf("--tls-cert (MOCKIDP_TLS_CERT) %s with --tls-key (MOCKIDP_TLS_KEY) %s: %w", c.TLSCert, c.TLSKey, err)
		}
	} else {
		ca, err := tlsca.New(tlsca.Config{Now: func() time.Time { return now }})
		if err != nil {
			return nil, nil, err
		}
		hosts := c.certificateHosts()
		if cert, err = ca.Issue(hosts...); err != nil {
			return nil, nil, fmt.Errorf("--tls (MOCKIDP_TLS): certificate for %s: %w", strings.Join(hosts, ", "), err)
		}
		caPEM = ca.CertPEM()
		if c.TLSCAOut != "" {
			if err := writeFileAtomic(c.TLSCAOut, caPEM); err != nil {
				return nil, nil, fmt.Errorf("--tls-ca-out (MOCKIDP_TLS_CA_OUT): writing the CA certificate: %w", err)
			}
		}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, caPEM, nil
}

// certificateHosts are the names the generated certificate is valid for:
// loopback by every spelling, the listen host unless it is a wildcard, the
// public URL's host (a container's service name), and --tls-hosts.
func (c *serveConfig) certificateHosts() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, _, err := net.SplitHostPort(c.Addr); err == nil && h != "" && !net.ParseIP(strings.Trim(h, "[]")).IsUnspecified() {
		hosts = append(hosts, strings.Trim(h, "[]"))
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	hosts = append(hosts, splitList(c.TLSHosts)...)
	var out []string
	for _, h := range hosts {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, h) }) {
			out = append(out, h)
		}
	}
	return out
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a reader never sees half a certificate. The file is
// readable by all: it is a public certificate.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// tlsDefault reports whether the environment says the mock serves HTTPS
// (MOCKIDP_TLS or MOCKIDP_TLS_CERT), so that the client subcommands run
// beside it (a container's healthcheck) default to https.
func tlsDefault(getenv func(string) string) bool {
	on, _ := strconv.ParseBool(getenv("MOCKIDP_TLS"))
	return on || getenv("MOCKIDP_TLS_CERT") != ""
}

// defaultCAFile is the CA the client subcommands trust by default:
// MOCKIDP_CA_FILE, else the file a mock configured by the same environment
// writes its CA to (MOCKIDP_TLS_CA_OUT).
func defaultCAFile(getenv func(string) string) string {
	if f := getenv("MOCKIDP_CA_FILE"); f != "" {
		return f
	}
	return getenv("MOCKIDP_TLS_CA_OUT")
}

// httpClient is the client subcommands' HTTP client: it trusts the
// system's roots, or, when caFile is given, the certificates in it alone
// (the mock's CA; loading the system's roots too would cost a health check
// hundreds of milliseconds for nothing).
func httpClient(caFile string, timeout time.Duration) (*http.Client, error) {
	if caFile == "" {
		return &http.Client{Timeout: timeout}, nil
	}
	certs, err := tlsca.ReadCertificates(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file (MOCKIDP_CA_FILE): %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: timeout, Transport: tr}, nil
}

// trustHint adds what to do to a request error caused by an unknown CA.
func trustHint(err error) error {
	if errors.As(err, new(x509.UnknownAuthorityError)) {
		return fmt.Errorf("%w (trust the mock's CA: --ca-file FILE or MOCKIDP_CA_FILE, the file serve's --tls-ca-out wrote)", err)
	}
	return err
}
