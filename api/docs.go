package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"time"

	"github.com/gorilla/mux"
)

// The docs page and its assets are embedded so /docs works offline.
// docs/swagger-ui holds files vendored unchanged from swagger-ui-dist 5.
//
//go:embed docs/index.html docs/init.js docs/swagger-ui
var docsFS embed.FS

// docsAssetPrefix is where the docs assets are served.
const docsAssetPrefix = "/docs/assets/"

// docsContentSecurityPolicy lets the docs page load only its own assets and
// talk only to this API. Swagger UI sets inline styles and shows data: images.
const docsContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// staticFile is an embedded file ready to serve.
type staticFile struct {
	content     []byte
	contentType string
	etag        string
}

// docsAssets maps each name served under /docs/assets/ to its file.
var docsAssets = map[string]staticFile{
	"swagger-ui-bundle.js":             mustStatic("docs/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
	"swagger-ui.css":                   mustStatic("docs/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
	"swagger-ui-bundle.js.LICENSE.txt": mustStatic("docs/swagger-ui/swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"),
	"LICENSE":                          mustStatic("docs/swagger-ui/LICENSE", "text/plain; charset=utf-8"),
	"NOTICE":                           mustStatic("docs/swagger-ui/NOTICE", "text/plain; charset=utf-8"),
	"init.js":                          mustStatic("docs/init.js", "text/javascript; charset=utf-8"),
}

// docsIndex is the /docs page.
var docsIndex = mustStatic("docs/index.html", "text/html; charset=utf-8")

// mustStatic loads an embedded file; a missing one is a build fault.
func mustStatic(name, contentType string) staticFile {
	content, err := docsFS.ReadFile(name)
	if err != nil {
		panic("api: embedded docs file missing: " + name)
	}
	sum := sha256.Sum256(content)
	return staticFile{content: content, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// serveStatic writes f, answering conditional requests from its ETag.
func serveStatic(w http.ResponseWriter, r *http.Request, f staticFile, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.content))
}

// handleDocs serves the Swagger UI page.
func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", docsContentSecurityPolicy)
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveStatic(w, r, docsIndex, "no-cache")
}

// handleDocsAsset serves one embedded asset of the docs page.
func (s *Server) handleDocsAsset(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["file"]
	f, ok := docsAssets[path.Base(name)]
	if !ok || path.Base(name) != name {
		s.writeError(w, r, ErrNotFound)
		return
	}
	serveStatic(w, r, f, "public, max-age=86400")
}
