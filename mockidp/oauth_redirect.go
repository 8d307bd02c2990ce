package mockidp

import (
	"net/url"
	"strings"
)

// redirectWith appends params to a registered redirect URI, keeping any
// query it already has (RFC 6749 §3.1.2: it MUST be retained). Registered
// URIs have no fragment, so appending is safe.
func redirectWith(uri string, params url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
		if strings.HasSuffix(uri, "?") || strings.HasSuffix(uri, "&") {
			sep = ""
		}
	}
	return uri + sep + params.Encode()
}
