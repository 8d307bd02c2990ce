package keys_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

var kidPattern = regexp.MustCompile(`^SK[0-9A-Za-z]{27}$`)

func TestKidIsDeterministic(t *testing.T) {
	t.Parallel()
	// Golden value computed independently of this package:
	// openssl pkey -pubout -outform DER | sha256 | base62, last 27 digits.
	const wantFirst = "SKjiAqAVd6tF90lSFUYgUuUu1PCIX"
	first := newSet(t, keys.Config{PEM: pems(t, 1)})
	again := newSet(t, keys.Config{PEM: pems(t, 1)})
	if got := first.Current().ID; got != wantFirst {
		t.Errorf("got kid %s for fixture 1, want %s", got, wantFirst)
	}
	if got, want := again.Current().ID, first.Current().ID; got != want {
		t.Errorf("got kid %s from a second set, want %s", got, want)
	}
	seen := map[string]int{}
	for i := range pems(t, 16) {
		kid := fixtureKid(t, i)
		if !kidPattern.MatchString(kid) {
			t.Errorf("fixture %d: got kid %q, want SK + 27 base62 characters", i+1, kid)
		}
		if j, dup := seen[kid]; dup {
			t.Errorf("fixtures %d and %d: same kid %s", j+1, i+1, kid)
		}
		seen[kid] = i
	}
}

func TestKeyIDOfGeneratedKeyMatchesSet(t *testing.T) {
	t.Parallel()
	s, err := keys.NewWithPool(keys.Config{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cur := s.Current()
	want, err := keys.KeyID(&cur.Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID != want || !kidPattern.MatchString(cur.ID) {
		t.Errorf("got kid %q, want %q (SK + 27 base62)", cur.ID, want)
	}
	if got := cur.Private.N.BitLen(); got != 2048 {
		t.Errorf("got %d-bit generated key, want 2048", got)
	}
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	smallPKCS8, err := x509.MarshalPKCS8PrivateKey(small)
	if err != nil {
		t.Fatal(err)
	}
	good := pems(t, 2)
	twoBlocks := append(append([]byte{}, good[0]...), good[1]...)

	tests := []struct {
		name    string
		cfg     keys.Config
		wantIs  error
		wantMsg string
	}{
		{"not PEM", keys.Config{PEM: [][]byte{[]byte("hello")}}, keys.ErrBadPEM, "PEM key 1 of 1: bad PEM key: no PEM block found"},
		{"second entry bad", keys.Config{PEM: [][]byte{good[0], []byte("")}}, keys.ErrBadPEM, "PEM key 2 of 2: bad PEM key: no PEM block found"},
		{"non-RSA PKCS#8 key", keys.Config{PEM: [][]byte{pemOf(t, "PRIVATE KEY", ecDER)}}, keys.ErrBadPEM, "PKCS#8 key is *ecdsa.PrivateKey, want an RSA key"},
		{"1024-bit PKCS#1 key", keys.Config{PEM: [][]byte{pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small))}}, keys.ErrBadPEM, "RSA key has 1024 bits, want at least 2048"},
		{"1024-bit PKCS#8 key", keys.Config{PEM: [][]byte{pemOf(t, "PRIVATE KEY", smallPKCS8)}}, keys.ErrBadPEM, "RSA key has 1024 bits, want at least 2048"},
		{"public key block", keys.Config{PEM: [][]byte{pemOf(t, "PUBLIC KEY", []byte{1, 2})}}, keys.ErrBadPEM, `PEM block type "PUBLIC KEY"`},
		{"corrupt PKCS#1 body", keys.Config{PEM: [][]byte{pemOf(t, "RSA PRIVATE KEY", []byte{1, 2, 3})}}, keys.ErrBadPEM, "parsing PKCS#1 RSA private key"},
		{"two keys in one entry", keys.Config{PEM: [][]byte{twoBlocks}}, keys.ErrBadPEM, "more than one PEM block"},
		{"same key twice", keys.Config{PEM: [][]byte{good[0], good[1], good[0]}}, keys.ErrInvalidConfig, "PEM key 3 is the same key as PEM key 1"},
		{"rotation under a second", keys.Config{PEM: good, RotateEvery: 500 * time.Millisecond}, keys.ErrInvalidConfig, "RotateEvery 500ms is below the minimum 1s"},
		{"bits under 2048", keys.Config{PEM: good, Bits: 1024}, keys.ErrInvalidConfig, "Bits 1024 is below the minimum 2048"},
		{"bits over 8192", keys.Config{PEM: good, Bits: 16384}, keys.ErrInvalidConfig, "Bits 16384 is above the maximum 8192"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := keys.New(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("got no error, want one wrapping %v", tt.wantIs)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("got error %v, want one wrapping %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNewAcceptsBothPEMEncodings(t *testing.T) {
	t.Parallel()
	// Fixture 1 is PKCS#8, fixture 2 PKCS#1 (see fixtures/keys/README.md).
	p := pems(t, 2)
	for i, want := range []string{"-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----"} {
		if !strings.HasPrefix(string(p[i]), want) {
			t.Fatalf("fixture %d: got header %.32q, want %q", i+1, p[i], want)
		}
	}
	s := newSet(t, keys.Config{PEM: p})
	if err := s.Rotate(1); err != nil {
		t.Fatal(err)
	}
	assertKids(t, kids(s.Published()), fixtureKid(t, 1), fixtureKid(t, 0))
}

func TestLoadPEMFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	goodPath := filepath.Join(dir, "good.pem")
	badPath := filepath.Join(dir, "bad.pem")
	missing := filepath.Join(dir, "missing.pem")
	if err := os.WriteFile(goodPath, pems(t, 1)[0], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badPath, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		paths   []string
		wantErr string // substring; empty means success
	}{
		{"good file", []string{goodPath}, ""},
		{"missing file", []string{goodPath, missing}, `loading key file "` + missing + `"`},
		{"not a key", []string{badPath}, `loading key file "` + badPath + `": bad PEM key: no PEM block found`},
		{"a bad key before a missing file", []string{goodPath, badPath, missing}, `loading key file "` + badPath + `": bad PEM key`},
		{"a missing file before a bad key", []string{goodPath, missing, badPath}, `loading key file "` + missing + `"`},
		{"many good keys", []string{goodPath, goodPath, goodPath, goodPath, goodPath}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := keys.LoadPEMFiles(tt.paths...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if len(got) != len(tt.paths) || string(got[0]) != string(pems(t, 1)[0]) {
					t.Fatalf("got %d entries, want the file contents of %d files", len(got), len(tt.paths))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
