// Package tlsca makes a private certificate authority and the serving
// certificate it signs, so that a mock issuer can be served over HTTPS on a
// test machine: `mockidp serve --tls` makes one at start, keeps both keys in
// memory only, and hands out the CA's certificate for clients to trust.
//
// Keys are ECDSA P-256 (a millisecond to generate, accepted by Go, Node,
// OpenSSL, curl and every browser); certificates are X.509 v3 with the
// extensions browsers require of a serving certificate: subject alternative
// names for every host name and IP address, server-auth extended key usage,
// and a CA with basic constraints that may sign no other CA.
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// Defaults applied by New to zero-valued Config fields.
const (
	// DefaultValidity is a year: the keys live only as long as the process,
	// so nothing is gained by a shorter life, and a stack left running for
	// months keeps working. Clients check validity on their own clock (the
	// mock's settable clock plays no part).
	DefaultValidity = 365 * 24 * time.Hour
	// backdate is how far before now certificates start, for machines
	// whose clocks run a little behind the mock's host.
	backdate = time.Hour
)

// Config configures an Authority. Zero values are safe defaults.
type Config struct {
	// Now (optional, default time.Now) - the clock validity starts from.
	Now func() time.Time
	// Validity (optional, default DefaultValidity) - how long the CA and
	// each certificate it issues are valid, from an hour before Now.
	Validity time.Duration
	// Name (optional, default "mockidp test CA") - the start of the CA's
	// common name; a random serial is appended, so CAs of different runs
	// are told apart in a trust store.
	Name string
}

// Authority is a certificate authority whose key never leaves memory.
type Authority struct {
	cfg  Config
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// New makes a fresh CA: a new key and a self-signed certificate.
func New(cfg Config) (*Authority, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Validity < 0 {
		return nil, fmt.Errorf("tlsca: validity %s is negative", cfg.Validity)
	}
	if cfg.Validity == 0 {
		cfg.Validity = DefaultValidity
	}
	if cfg.Name == "" {
		cfg.Name = "mockidp test CA"
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tlsca: generating the CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	start := cfg.Now().Add(-backdate)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cfg.Name + " " + fmt.Sprintf("%032x", serial)[:8], Organization: []string{"descope-harness"}},
		NotBefore:             start,
		NotAfter:              start.Add(cfg.Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs serving certificates, never another CA
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("tlsca: signing the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("tlsca: parsing the CA certificate: %w", err)
	}
	return &Authority{cfg: cfg, cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Certificate is the CA's certificate.
func (a *Authority) Certificate() *x509.Certificate { return a.cert }

// CertPEM is the CA's certificate in PEM: what clients add to their trust
// (curl --cacert, NODE_EXTRA_CA_CERTS, bin/api's PROVIDER_CA_FILE).
func (a *Authority) CertPEM() []byte { return append([]byte(nil), a.pem...) }

// Pool is a certificate pool holding the CA alone, for tls.Config.RootCAs.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// ErrNoHosts is returned by Issue when it is given no host.
var ErrNoHosts = errors.New("tlsca: a certificate needs at least one host name or IP address")

// Issue makes a serving certificate, with a new key, for hosts: DNS names
// and IP addresses (an IPv6 address may be written in brackets). The first
// host is also the subject's common name. The chain holds the certificate
// alone: a client must trust the CA anyway, and a CA sent along makes
// OpenSSL and Node call the failure "self-signed certificate in chain"
// instead of naming the missing issuer.
func (a *Authority) Issue(hosts ...string) (tls.Certificate, error) {
	var dns []string
	var ips []net.IP
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if err := checkDNSName(h); err != nil {
			return tls.Certificate{}, err
		}
		dns = append(dns, strings.ToLower(h))
	}
	if len(dns)+len(ips) == 0 {
		return tls.Certificate{}, ErrNoHosts
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: generating a serving key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	start := a.cfg.Now().Add(-backdate)
	end := start.Add(a.cfg.Validity)
	if end.After(a.cert.NotAfter) {
		end = a.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: strings.TrimSuffix(strings.TrimPrefix(hosts[0], "["), "]"), Organization: []string{"descope-harness"}},
		NotBefore:      start,
		NotAfter:       end,
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:       dns,
		IPAddresses:    ips,
		SubjectKeyId:   keyID(&key.PublicKey),
		AuthorityKeyId: a.cert.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: signing a serving certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: parsing a serving certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// SPKIHash is the base64 SHA-256 of a certificate's public key: what
// Chromium's --ignore-certificate-errors-spki-list takes, to trust one
// serving certificate without installing its CA.
func SPKIHash(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// checkDNSName accepts what a certificate's DNS name may hold: labels of
// letters, digits, hyphens and underscores (container names have them),
// joined by dots, with an optional leading "*." wildcard.
func checkDNSName(h string) error {
	name := strings.TrimPrefix(h, "*.")
	if name == "" || len(name) > 253 {
		return fmt.Errorf("tlsca: %q is not a host name or IP address", h)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("tlsca: %q is not a host name or IP address", h)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("tlsca: %q is not a host name or IP address", h)
			}
		}
	}
	return nil
}

// randomSerial is a positive 128-bit serial number (RFC 5280 allows 20 octets).
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("tlsca: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// keyID is the subject key identifier of a public key: the SHA-256 of its
// encoding, cut to 20 bytes (RFC 7093 §2 method 1).
func keyID(pub *ecdsa.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return sum[:20]
}
