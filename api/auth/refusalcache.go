package auth

import (
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"sync/atomic"

	jose "github.com/go-jose/go-jose/v4"
)

// The refusal cache is set-associative: refusalSets sets of refusalWays
// entries each. A flood reusing a few unknown kids (the common case) stays
// in it; a flood of distinct headers only replaces entries, at about the
// cost of the go-jose parse it would have made anyway.
const (
	refusalSets = 128 // a power of two
	refusalWays = 4
	// maxRefusalHeader is the longest header segment cached, so that the
	// cache holds at most refusalSets × refusalWays small headers.
	maxRefusalHeader = 1024
)

// refusalCache maps the header segment of a compact JWS to what go-jose
// makes of that segment alone (headerVerdict), so that a token refused
// because of its header (no kid, a kid not in the key set, an alg the kid's
// key is not pinned to, a header go-jose refuses) is refused without a new
// go-jose parse.
//
// It answers refusals only: a token it parses as acceptable so far is
// parsed in full by go-jose before its signature is checked (see
// Validator.validate), so nothing is accepted on its word. It is kept apart
// from headerCache, which holds the headers of verified tokens, so that a
// flood of arbitrary headers cannot evict those.
//
// Why the refusal is the same as go-jose's: jose.ParseSignedCompact(h.p.s)
// splits the token into exactly three segments, base64url-decodes each, and
// builds its one signature from the decoded h and the allowed algorithms
// alone (sanitized only checks that the decoded payload is not nil, and a
// decode never returns nil). So:
//
//   - if go-jose refuses h.. (h with an empty payload and signature), it
//     refuses every token whose header segment is h, and classifyParseError
//     of such a token depends on h alone;
//   - if go-jose parses h.., then it parses h.p.s exactly when p and s
//     decode and s has no '.', with the same Header as for h.. (else it
//     refuses h.p.s and classifyParseError depends on h alone).
//
// FuzzRefusalCache checks both against go-jose's full parse.
//
// Readers and writers never lock: each slot is an atomic pointer to an
// immutable entry, replaced whole.
type refusalCache struct {
	seed  maphash.Seed
	slots [refusalSets * refusalWays]atomic.Pointer[headerVerdict]
}

// headerVerdict is go-jose's parse of one header segment.
type headerVerdict struct {
	header string // the header segment (base64url text)
	// sig is go-jose's parse of the header (Signature nil) when parsed.
	sig    jose.Signature
	parsed bool
	// refusal is classifyParseError of a token with this header, set when
	// the header is refused; for a parsed header it is computed on first
	// need (a token whose other segments do not decode).
	refusal atomic.Pointer[error]
}

func newRefusalCache() *refusalCache {
	return &refusalCache{seed: maphash.MakeSeed()}
}

// set returns the slots of header's set.
func (c *refusalCache) set(header string) []atomic.Pointer[headerVerdict] {
	i := int(maphash.String(c.seed, header) & (refusalSets - 1))
	return c.slots[i*refusalWays : (i+1)*refusalWays]
}

// get returns the cached verdict on header, or nil.
func (c *refusalCache) get(header string) *headerVerdict {
	set := c.set(header)
	for i := range set {
		if e := set[i].Load(); e != nil && e.header == header {
			return e
		}
	}
	return nil
}

// put caches e, in a free slot of its set if there is one, else in place of
// a random one. A concurrent put may replace it at once; it is made again by
// its header's next miss.
func (c *refusalCache) put(e *headerVerdict) {
	if len(e.header) > maxRefusalHeader {
		return
	}
	set := c.set(e.header)
	for i := range set {
		if set[i].Load() == nil && set[i].CompareAndSwap(nil, e) {
			return
		}
	}
	set[rand.IntN(refusalWays)].Store(e)
}

// len is the number of cached verdicts (tests).
func (c *refusalCache) len() int {
	n := 0
	for i := range c.slots {
		if c.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// verdict returns go-jose's verdict on header, cached or made now.
func (v *Validator) verdict(header string) *headerVerdict {
	if e := v.refusals.get(header); e != nil {
		return e
	}
	e := &headerVerdict{header: strings.Clone(header)}
	jws, err := jose.ParseSignedCompact(header+"..", v.cfg.algorithms)
	if err == nil && len(jws.Signatures) == 1 {
		e.sig = jws.Signatures[0]
		e.sig.Signature = nil
		e.parsed = true
	} else {
		refusal := v.classifyHeader(header)
		e.refusal.Store(&refusal)
	}
	v.refusals.put(e)
	return e
}

// refused is classifyParseError of any token whose header segment is e's
// and that go-jose refuses.
func (v *Validator) refused(e *headerVerdict) error {
	if p := e.refusal.Load(); p != nil {
		return *p
	}
	refusal := v.classifyHeader(e.header)
	e.refusal.Store(&refusal)
	return refusal
}

// parseRefusal parses token as go-jose would, from the verdict on its header
// segment, for refusing it: the result has the token's header but neither
// its payload nor its signature, so it can be refused by its header alone,
// and must be parsed in full (parseTokenFull) before anything is verified.
// An error is the refusal go-jose's full parse would give.
func (v *Validator) parseRefusal(token string) (parsedToken, error) {
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return parsedToken{}, ErrMalformed // go-jose: not three segments
	}
	e := v.verdict(header)
	if !e.parsed || !splitDecodes(rest) {
		return parsedToken{}, v.refused(e)
	}
	return parsedToken{sig: e.sig}, nil
}

// splitDecodes reports whether rest is two segments, each valid base64url
// without padding: the rest of a token go-jose parses when its header does.
func splitDecodes(rest string) bool {
	payload, signature, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(signature, '.') >= 0 {
		return false
	}
	return decodes(payload) && decodes(signature)
}

// decodes reports whether base64.RawURLEncoding.DecodeString(s) succeeds,
// without decoding: that decoder (not strict, no padding) skips '\r' and
// '\n', refuses any other byte outside the URL alphabet (padding included),
// and refuses a last quantum of one character; it does not check the unused
// bits of the last quantum. FuzzDecodes checks this against DecodeString.
func decodes(s string) bool {
	var class byte
	for i := 0; i < len(s); i++ {
		class |= base64URLClass[s[i]]
	}
	switch {
	case class == 0:
		return len(s)%4 != 1
	case class&classOther != 0:
		return false
	}
	n := 0 // characters of the alphabet, newlines skipped
	for i := 0; i < len(s); i++ {
		if base64URLClass[s[i]] == 0 {
			n++
		}
	}
	return n%4 != 1
}

// Classes of bytes for decodes: 0 for the base64url alphabet.
const (
	classNewline = 1 << iota // '\r' or '\n', skipped by the decoder
	classOther               // refused by the decoder
)

var base64URLClass = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = classOther
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = 0
	}
	t['\r'], t['\n'] = classNewline, classNewline
	return t
}()
