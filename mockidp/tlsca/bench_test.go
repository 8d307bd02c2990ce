package tlsca_test

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/descope-harness/harness/mockidp/tlsca"
)

// BenchmarkStartTLS is what --tls adds to start-up: a CA and one serving
// certificate. BenchmarkStartRSAKey, its baseline, is the RSA-2048 signing
// key a mock without PEM keys generates at every start anyway.
func BenchmarkStartTLS(b *testing.B) {
	for b.Loop() {
		ca, err := tlsca.New(tlsca.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ca.Issue("localhost", "127.0.0.1", "::1", "mockidp"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStartRSAKey(b *testing.B) {
	for b.Loop() {
		if _, err := rsa.GenerateKey(rand.Reader, 2048); err != nil {
			b.Fatal(err)
		}
	}
}
