package mockidp

import (
	"fmt"
	"net/http"
	"strings"
)

// JWKSCache sets the cache headers of the key-set endpoints.
type JWKSCache struct {
	// MaxAge, when positive, is sent as Cache-Control: public, max-age=N (seconds).
	MaxAge int `json:"max_age"`
	// NoStore sends Cache-Control: no-store (wins over MaxAge).
	NoStore bool `json:"no_store"`
	// ETag sends the key set's ETag and answers 304 to a matching If-None-Match.
	ETag bool `json:"etag"`
}

// SetJWKSCache changes the key-set cache headers.
func (s *Server) SetJWKSCache(c JWKSCache) error {
	if c.MaxAge < 0 || c.MaxAge > 365*24*3600 {
		return mockBadRequest("max_age must be between 0 and 31536000 seconds")
	}
	s.mu.Lock()
	s.jwksCache = c
	s.mu.Unlock()
	return nil
}

// JWKSCacheSettings returns the key-set cache headers in force.
func (s *Server) JWKSCacheSettings() JWKSCache {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.jwksCache
}

func (s *Server) handleJWKS(legacyArray bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.checkProject(w, r) {
			return
		}
		snap := s.keys.Snapshot()
		cache := s.JWKSCacheSettings()
		h := w.Header()
		switch {
		case cache.NoStore:
			h.Set("Cache-Control", "no-store")
		case cache.MaxAge > 0:
			h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", cache.MaxAge))
		}
		if cache.ETag {
			h.Set("ETag", snap.ETag)
			if etagMatches(r.Header.Get("If-None-Match"), snap.ETag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		body := snap.JWKS
		if legacyArray {
			body = snap.Array
		}
		writeBytes(w, http.StatusOK, body)
	}
}

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/"))
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}
