package tlsca

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// A serving certificate and key of the user's own (mockidp serve
// --tls-cert/--tls-key) are read here, so that a mistake stops start-up
// with its reason instead of surfacing as a handshake failure in a client.

// ReadCertificates reads a PEM file of certificates, the serving
// certificate first and then its intermediates, and returns them parsed.
// Errors name the file and the reason.
func ReadCertificates(file string) ([]*x509.Certificate, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	var others []string
	for i := 0; ; i++ {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			others = append(others, b.Type)
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d is not a valid certificate: %w", file, i+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		if len(others) > 0 {
			return nil, fmt.Errorf("%s: no CERTIFICATE block, only %s (is this the key file?)", file, strings.Join(others, ", "))
		}
		return nil, fmt.Errorf("%s: no PEM data (want a PEM certificate, -----BEGIN CERTIFICATE-----)", file)
	}
	return certs, nil
}

// ReadPrivateKey reads the first private key of a PEM file: PKCS#8,
// PKCS#1 (RSA) or SEC 1 (EC), unencrypted.
func ReadPrivateKey(file string) (crypto.Signer, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var types []string
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			break
		}
		if !strings.HasSuffix(b.Type, "PRIVATE KEY") {
			types = append(types, b.Type)
			continue
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
			return nil, fmt.Errorf("%s: the private key is encrypted; give an unencrypted one (openssl pkey -in %s -out key.pem)", file, file)
		}
		key, err := parseKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %s block: %w", file, b.Type, err)
		}
		return key, nil
	}
	if len(types) > 0 {
		return nil, fmt.Errorf("%s: no PRIVATE KEY block, only %s (is this the certificate file?)", file, strings.Join(types, ", "))
	}
	return nil, fmt.Errorf("%s: no PEM data (want a PEM private key, -----BEGIN PRIVATE KEY-----)", file)
}

func parseKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, fmt.Errorf("a %T key cannot sign", k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) private key")
}

// Pair checks that chain[0] can serve HTTPS with key at now, and returns
// them as a tls.Certificate: the key must be the certificate's, the
// certificate valid at now, usable for server authentication, and naming
// its hosts in subject alternative names (Go and browsers ignore the
// common name).
func Pair(chain []*x509.Certificate, key crypto.Signer, now time.Time) (tls.Certificate, error) {
	if len(chain) == 0 {
		return tls.Certificate{}, errors.New("no certificate")
	}
	leaf := chain[0]
	if !samePublicKey(leaf.PublicKey, key.Public()) {
		return tls.Certificate{}, errors.New("the private key does not belong to the certificate (its public key differs)")
	}
	switch {
	case now.Before(leaf.NotBefore):
		return tls.Certificate{}, fmt.Errorf("the certificate is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.After(leaf.NotAfter):
		return tls.Certificate{}, fmt.Errorf("the certificate expired at %s", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return tls.Certificate{}, errors.New("the certificate's extended key usage does not allow server authentication")
	}
	if len(leaf.DNSNames)+len(leaf.IPAddresses) == 0 {
		return tls.Certificate{}, fmt.Errorf("the certificate (subject %q) names no host in its subject alternative names; Go, Node and browsers ignore the common name", leaf.Subject.String())
	}
	out := tls.Certificate{PrivateKey: key, Leaf: leaf}
	for _, c := range chain {
		out.Certificate = append(out.Certificate, c.Raw)
	}
	return out, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
