package keys

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
)

// Snapshot is the published set, encoded once per change of the set. Its
// slices are shared by every caller and must not be modified.
type Snapshot struct {
	JWKS    []byte   // `{"keys":[JWK…]}`, current key first
	Array   []byte   // bare JSON array `[JWK…]` (legacy /v1/keys path)
	ETag    string   // strong ETag (quoted), derived from the published keys: changes whenever they change
	Version uint64   // increments on every change of the set (rotation, revocation, reset)
	Current string   // current kid
	Kids    []string // published kids, current first
}

// buildSnapshot encodes the published keys, current first.
func buildSnapshot(published []*Key, version uint64) Snapshot {
	arr := make([]byte, 0, 64+len(published)*450)
	kids := make([]string, 0, len(published))
	arr = append(arr, '[')
	for i, k := range published {
		if i > 0 {
			arr = append(arr, ',')
		}
		arr = appendJWK(arr, k.ID, &k.Private.PublicKey)
		kids = append(kids, k.ID)
	}
	arr = append(arr, ']')

	jwks := make([]byte, 0, len(arr)+10)
	jwks = append(jwks, `{"keys":`...)
	jwks = append(jwks, arr...)
	jwks = append(jwks, '}')

	sum := sha256.Sum256(arr)
	current := ""
	if len(kids) > 0 {
		current = kids[0]
	}
	return Snapshot{
		JWKS:    jwks,
		Array:   arr,
		ETag:    `"` + hex.EncodeToString(sum[:16]) + `"`,
		Version: version,
		Current: current,
		Kids:    kids,
	}
}

// appendJWK appends the public JWK of pub, members in alphabetical order:
// {"alg":"RS256","e":…,"kid":…,"kty":"RSA","n":…,"use":"sig"}. A kid is
// "SK" + base62, so it needs no JSON escaping.
func appendJWK(dst []byte, kid string, pub *rsa.PublicKey) []byte {
	dst = append(dst, `{"alg":"RS256","e":"`...)
	dst = base64.RawURLEncoding.AppendEncode(dst, big.NewInt(int64(pub.E)).Bytes())
	dst = append(dst, `","kid":"`...)
	dst = append(dst, kid...)
	dst = append(dst, `","kty":"RSA","n":"`...)
	dst = base64.RawURLEncoding.AppendEncode(dst, pub.N.Bytes())
	dst = append(dst, `","use":"sig"}`...)
	return dst
}
