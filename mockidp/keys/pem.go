package keys

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"sync"
)

// LoadPEMFiles reads the files at paths, in order, for Config.PEM. Each file
// must hold one PEM block; errors name the file.
func LoadPEMFiles(paths ...string) ([][]byte, error) {
	pems := make([][]byte, 0, len(paths))
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("loading key file %q: %w", path, err)
		}
		if _, err := parsePEMKey(b, minBits); err != nil {
			return nil, fmt.Errorf("loading key file %q: %w", path, err)
		}
		pems = append(pems, b)
	}
	return pems, nil
}

// parsedKeys memoises parsePEMKey by the digest of the PEM bytes: test
// suites build many sets from the same fixture keys, a process loads its PEM
// files once to check them and again to build its set, and parsing one
// RSA-2048 key costs about 0.3 ms (x509 checks and precomputes the key).
var parsedKeys struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*Key // Created unset; never modified
}

// maxParsedKeys bounds parsedKeys; it is emptied when full.
const maxParsedKeys = 256

// parsePEMKey is parsePrivateKey with the key's kid, memoised. The returned
// Key is the caller's; its Private is shared and must not be modified (no
// code modifies an rsa.PrivateKey once parsed and precomputed).
func parsePEMKey(data []byte, bits int) (*Key, error) {
	sum := sha256.Sum256(data)
	parsedKeys.mu.Lock()
	k, ok := parsedKeys.m[sum]
	parsedKeys.mu.Unlock()
	if !ok {
		priv, err := parsePrivateKey(data, minBits)
		if err != nil {
			return nil, err
		}
		if k, err = newKey(priv); err != nil {
			return nil, err
		}
		parsedKeys.mu.Lock()
		if parsedKeys.m == nil || len(parsedKeys.m) >= maxParsedKeys {
			parsedKeys.m = make(map[[sha256.Size]byte]*Key)
		}
		parsedKeys.m[sum] = k
		parsedKeys.mu.Unlock()
	}
	if got := k.Private.N.BitLen(); got < bits {
		return nil, fmt.Errorf("%w: RSA key has %d bits, want at least %d", ErrBadPEM, got, bits)
	}
	return &Key{ID: k.ID, Private: k.Private}, nil
}

// parsePrivateKey decodes one PEM-encoded RSA private key (PKCS#1 or
// PKCS#8) of at least bits bits.
func parsePrivateKey(data []byte, bits int) (*rsa.PrivateKey, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found", ErrBadPEM)
	}
	if extra, _ := pem.Decode(rest); extra != nil {
		return nil, fmt.Errorf("%w: more than one PEM block (want one key per entry)", ErrBadPEM)
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: parsing PKCS#1 RSA private key: %v", ErrBadPEM, err)
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: parsing PKCS#8 private key: %v", ErrBadPEM, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PKCS#8 key is %T, want an RSA key", ErrBadPEM, k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("%w: PEM block type %q, want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", ErrBadPEM, block.Type)
	}
	if got := key.N.BitLen(); got < bits {
		return nil, fmt.Errorf("%w: RSA key has %d bits, want at least %d", ErrBadPEM, got, bits)
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%w: invalid RSA key: %v", ErrBadPEM, err)
	}
	return key, nil
}
