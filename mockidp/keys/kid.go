package keys

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
)

// kidDigits is the number of base62 characters after the "SK" prefix,
// matching the shape of Descope key IDs.
const kidDigits = 27

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// KeyID returns the kid of a public key: "SK" followed by 27 base62
// characters of the SHA-256 of its PKIX DER encoding. The same key gives the
// same kid in every process, so instances loading the same PEM files agree.
func KeyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encoding public key: %w", err)
	}
	sum := sha256.Sum256(der)
	n := new(big.Int).SetBytes(sum[:])
	base := big.NewInt(int64(len(base62Alphabet)))
	digit := new(big.Int)
	out := make([]byte, 2+kidDigits)
	out[0], out[1] = 'S', 'K'
	// 62^27 < 2^256, so 27 digits never exhaust the hash.
	for i := len(out) - 1; i >= 2; i-- {
		n.DivMod(n, base, digit)
		out[i] = base62Alphabet[digit.Int64()]
	}
	return string(out), nil
}
