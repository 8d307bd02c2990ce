package keys

import (
	"cmp"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// LoadPEMFiles reads the files at paths, in order, for Config.PEM. Each file
// must hold one PEM block; errors name the file (the first in order that
// cannot be read or parsed).
func LoadPEMFiles(paths ...string) ([][]byte, error) {
	pems := make([][]byte, len(paths))
	readErrs := make([]error, len(paths))
	for i, path := range paths {
		pems[i], readErrs[i] = os.ReadFile(path)
	}
	parseErrs := parsePEMKeys(pems)
	for i, path := range paths {
		if err := cmp.Or(readErrs[i], parseErrs[i]); err != nil {
			return nil, &FileError{Index: i, Path: path, Err: err}
		}
	}
	return pems, nil
}

// parsePEMKeys parses every key with parsePEMKey, on up to GOMAXPROCS
// goroutines (parsing is CPU-bound and start-up waits for it), and returns
// each key's error.
func parsePEMKeys(pems [][]byte) []error {
	errs := make([]error, len(pems))
	workers := min(len(pems), max(1, runtime.GOMAXPROCS(0)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(pems); i = int(next.Add(1) - 1) {
				_, errs[i] = parsePEMKey(pems[i], minBits)
			}
		})
	}
	wg.Wait()
	return errs
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
