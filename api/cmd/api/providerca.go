package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
)

// providerRoots is the system's root CAs plus the certificates of the PEM
// file PROVIDER_CA_FILE names: bin/api then reaches a provider served with
// a private CA (mockidp serve --tls) and still the public ones.
func providerRoots(file string) (*x509.CertPool, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	n := 0
	for i := 1; ; i++ {
		var b *pem.Block
		if b, raw = pem.Decode(raw); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d is not a valid certificate: %v", file, i, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it (want -----BEGIN CERTIFICATE-----)", file)
	}
	return pool, nil
}

// providerClient is the HTTP client of the validator's discovery and
// key-set requests: PROVIDER_TIMEOUT, and PROVIDER_CA_FILE's roots when set.
func (cfg config) providerClient() *http.Client {
	if cfg.providerRoots == nil {
		return &http.Client{Timeout: cfg.ProviderTimeout}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: cfg.providerRoots, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: cfg.ProviderTimeout, Transport: tr}
}
