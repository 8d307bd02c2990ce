package mockidp

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/descope-harness/harness/mockidp/keys"
)

// jwksSettings is a JWKSCache with its Cache-Control value encoded once.
type jwksSettings struct {
	JWKSCache
	cacheControl []string // nil: no Cache-Control header
}

func newJWKSSettings(c JWKSCache) *jwksSettings {
	st := &jwksSettings{JWKSCache: c}
	switch {
	case c.NoStore:
		st.cacheControl = noStore
	case c.MaxAge > 0:
		st.cacheControl = []string{"public, max-age=" + strconv.Itoa(c.MaxAge)}
	}
	return st
}

// jwksEncoded is what the key-set responses send for one version of the set,
// encoded once per change of the set rather than per request.
type jwksEncoded struct {
	version        uint64
	snap           keys.Snapshot
	etag           []string // header value
	jwksLength     []string // Content-Length of snap.JWKS
	arrayLength    []string // Content-Length of snap.Array
	notModifiedTag string   // snap.ETag, compared with If-None-Match
}

// SetJWKSCache changes the key-set cache headers.
func (s *Server) SetJWKSCache(c JWKSCache) error {
	if c.MaxAge < 0 || c.MaxAge > 365*24*3600 {
		return mockBadRequest("max_age must be between 0 and 31536000 seconds")
	}
	s.jwksSettings.Store(newJWKSSettings(c))
	return nil
}

// JWKSCacheSettings returns the key-set cache headers in force.
func (s *Server) JWKSCacheSettings() JWKSCache {
	return s.jwksSettings.Load().JWKSCache
}

// encodedJWKS returns the encoded responses of the current key set.
func (s *Server) encodedJWKS() *jwksEncoded {
	snap := s.keys.Snapshot()
	if e := s.jwks.Load(); e != nil && e.version == snap.Version {
		return e
	}
	e := &jwksEncoded{
		version:        snap.Version,
		snap:           snap,
		etag:           []string{snap.ETag},
		jwksLength:     []string{strconv.Itoa(len(snap.JWKS))},
		arrayLength:    []string{strconv.Itoa(len(snap.Array))},
		notModifiedTag: snap.ETag,
	}
	storeNewer(&s.jwks, e)
	return e
}

// storeNewer stores e unless a newer version is already stored.
func storeNewer(p *atomic.Pointer[jwksEncoded], e *jwksEncoded) {
	for {
		old := p.Load()
		if old != nil && old.version >= e.version {
			return
		}
		if p.CompareAndSwap(old, e) {
			return
		}
	}
}

// handleJWKS serves the key set, as a JWKS object or (legacyArray, the
// /v1/keys form) a bare array of keys.
func (s *Server) handleJWKS(legacyArray bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		enc := s.encodedJWKS()
		settings := s.jwksSettings.Load()
		h := w.Header()
		if settings.cacheControl != nil {
			h["Cache-Control"] = settings.cacheControl
		}
		if settings.ETag {
			h["Etag"] = enc.etag
			if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatches(inm, enc.notModifiedTag) {
				w.WriteHeader(http.StatusNotModified)
				return http.StatusNotModified, nil
			}
		}
		if legacyArray {
			return writeBody(w, http.StatusOK, enc.snap.Array, enc.arrayLength), nil
		}
		return writeBody(w, http.StatusOK, enc.snap.JWKS, enc.jwksLength), nil
	}
}

// etagMatches reports whether any If-None-Match value lists etag (or "*").
func etagMatches(values []string, etag string) bool {
	for _, header := range values {
		for header != "" {
			var v string
			v, header, _ = strings.Cut(header, ",")
			v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/"))
			if v == "*" || v == etag {
				return true
			}
		}
	}
	return false
}
