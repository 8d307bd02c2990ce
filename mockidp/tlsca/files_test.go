package tlsca_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/tlsca"
)

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t *testing.T, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf("PRIVATE KEY", der)
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// selfSigned is a certificate made from tmpl for key, signed by itself.
func selfSigned(t *testing.T, tmpl *x509.Certificate, key crypto.Signer) []byte {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(7)
	if tmpl.Subject.CommonName == "" {
		tmpl.Subject = pkix.Name{CommonName: "svc.example"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// A certificate and key of the user's own load when they fit, and every
// mistake is refused with its reason and the file it is in.
func TestReadAndPair(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := newCA(t)
	good, err := ca.Issue("localhost")
	if err != nil {
		t.Fatal(err)
	}
	goodKey := good.PrivateKey.(crypto.Signer)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecDER, _ := x509.MarshalECPrivateKey(otherKey)
	valid := func(tmpl *x509.Certificate) *x509.Certificate {
		tmpl.NotBefore, tmpl.NotAfter = start.Add(-time.Hour), start.Add(time.Hour)
		return tmpl
	}
	files := map[string]string{
		"cert":      writeFile(t, dir, "cert.pem", append(pemOf("CERTIFICATE", good.Certificate[0]), ca.CertPEM()...)),
		"key":       writeFile(t, dir, "key.pem", pkcs8(t, goodKey)),
		"empty":     writeFile(t, dir, "empty.pem", nil),
		"garbage":   writeFile(t, dir, "garbage.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")),
		"otherkey":  writeFile(t, dir, "other-key.pem", pkcs8(t, otherKey)),
		"sec1":      writeFile(t, dir, "sec1.pem", pemOf("EC PRIVATE KEY", ecDER)),
		"pkcs1":     writeFile(t, dir, "pkcs1.pem", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))),
		"encrypted": writeFile(t, dir, "enc.pem", pemOf("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3})),
		"badkey":    writeFile(t, dir, "badkey.pem", pemOf("PRIVATE KEY", []byte{1, 2, 3})),
		"expired": writeFile(t, dir, "expired.pem", pemOf("CERTIFICATE", selfSigned(t, &x509.Certificate{NotBefore: start.Add(-48 * time.Hour),
			NotAfter: start.Add(-24 * time.Hour), DNSNames: []string{"svc.example"}}, otherKey))),
		"future": writeFile(t, dir, "future.pem", pemOf("CERTIFICATE", selfSigned(t, &x509.Certificate{NotBefore: start.Add(24 * time.Hour),
			NotAfter: start.Add(48 * time.Hour), DNSNames: []string{"svc.example"}}, otherKey))),
		"cnonly": writeFile(t, dir, "cn-only.pem", pemOf("CERTIFICATE", selfSigned(t, valid(&x509.Certificate{}), otherKey))),
		"client": writeFile(t, dir, "client.pem", pemOf("CERTIFICATE", selfSigned(t, valid(&x509.Certificate{DNSNames: []string{"svc.example"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}), otherKey))),
		"rsacert": writeFile(t, dir, "rsa-cert.pem", pemOf("CERTIFICATE", selfSigned(t, valid(&x509.Certificate{DNSNames: []string{"svc.example"}}), rsaKey))),
		"eccert":  writeFile(t, dir, "ec-cert.pem", pemOf("CERTIFICATE", selfSigned(t, valid(&x509.Certificate{IPAddresses: nil, DNSNames: []string{"svc.example"}}), otherKey))),
	}
	for _, tc := range []struct {
		name, cert, key string
		want            string // "" for success
	}{
		{"ECDSA certificate with its chain and PKCS#8 key", "cert", "key", ""},
		{"RSA certificate with a PKCS#1 key", "rsacert", "pkcs1", ""},
		{"EC certificate with a SEC 1 key", "eccert", "sec1", ""},
		{"certificate file missing", "missing", "key", "no such file"},
		{"key file missing", "cert", "missing", "no such file"},
		{"empty certificate file", "empty", "key", "empty.pem: no PEM data"},
		{"certificate file holds a key", "key", "key", "key.pem: no CERTIFICATE block, only PRIVATE KEY (is this the key file?)"},
		{"key file holds a certificate", "cert", "cert", "cert.pem: no PRIVATE KEY block, only CERTIFICATE, CERTIFICATE (is this the certificate file?)"},
		{"certificate is not DER", "garbage", "key", "garbage.pem: PEM block 1 is not a valid certificate"},
		{"encrypted key", "cert", "encrypted", "enc.pem: the private key is encrypted"},
		{"key is not DER", "cert", "badkey", "badkey.pem: PRIVATE KEY block: not a PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) private key"},
		{"key of another certificate", "cert", "otherkey", "the private key does not belong to the certificate"},
		{"expired", "expired", "otherkey", "the certificate expired at " + start.Add(-24*time.Hour).Format(time.RFC3339)},
		{"not yet valid", "future", "otherkey", "the certificate is not valid before " + start.Add(24*time.Hour).Format(time.RFC3339)},
		{"common name only", "cnonly", "otherkey", "names no host in its subject alternative names"},
		{"client certificate", "client", "otherkey", "does not allow server authentication"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := func(k string) string {
				if p, ok := files[k]; ok {
					return p
				}
				return filepath.Join(dir, k+".pem")
			}
			err := func() error {
				chain, err := tlsca.ReadCertificates(path(tc.cert))
				if err != nil {
					return err
				}
				key, err := tlsca.ReadPrivateKey(path(tc.key))
				if err != nil {
					return err
				}
				pair, err := tlsca.Pair(chain, key, start)
				if err == nil && (pair.Leaf != chain[0] || len(pair.Certificate) != len(chain)) {
					t.Errorf("pair has leaf %v and %d certificates, want the file's first and all %d", pair.Leaf.Subject, len(pair.Certificate), len(chain))
				}
				return err
			}()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want success", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
