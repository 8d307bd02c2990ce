package live_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/drift"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// collect gathers what a provider serves: its discovery document, key set,
// and the header and claims of token (one of its client-credentials tokens).
func collect(discoveryURL, token string) drift.Documents {
	GinkgoHelper()
	disc := harness.FetchJSON(discoveryURL)
	jwksURI, ok := disc["jwks_uri"].(string)
	Expect(ok).To(BeTrue(), "discovery document has a jwks_uri")
	return drift.Documents{
		Discovery:   disc,
		KeySet:      harness.FetchJSON(jwksURI),
		TokenHeader: harness.Header(token),
		TokenClaims: harness.Payload(token),
	}
}

// writeReport prints the drift report to GinkgoWriter and writes it to dir/drift.md.
func writeReport(report drift.Report, dir string) string {
	GinkgoHelper()
	md := report.Markdown()
	GinkgoWriter.Println(md)
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	path := filepath.Join(dir, "drift.md")
	Expect(os.WriteFile(path, []byte(md), 0o644)).To(Succeed())
	return path
}
