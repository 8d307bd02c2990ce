package mockidp_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// Project.Trust names exactly what a validator must trust to accept every
// token the mock issues, for each issuer form: every token's iss is the
// discovery document's issuer or an extra issuer, and every extra issuer is
// one some token carries.
func TestProjectTrust(t *testing.T) {
	t.Parallel()
	for _, form := range []string{mockidp.IssuerURL, mockidp.IssuerApps, mockidp.IssuerProject} {
		t.Run(form, func(t *testing.T) {
			t.Parallel()
			p := mockidp.DefaultProject()
			p.IssuerForm = form
			m := mockidptest.Start(t, mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs()[:1]})
			trust := p.Trust(m.URL + "/")
			if trust.ProjectID != p.ID {
				t.Errorf("ProjectID %q, want %q", trust.ProjectID, p.ID)
			}

			resp, err := m.Client().Get(trust.DiscoveryURL)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Issuer string `json:"issuer"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || err != nil || doc.Issuer == "" {
				t.Fatalf("GET %s: status %d, issuer %q (%v)", trust.DiscoveryURL, resp.StatusCode, doc.Issuer, err)
			}

			req, _ := http.NewRequest(http.MethodPost, m.URL+"/v1/auth/accesskey/exchange", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+p.ID+":mock-access-key-secret")
			resp, err = m.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var exchanged struct {
				SessionJwt string `json:"sessionJwt"`
			}
			err = json.NewDecoder(resp.Body).Decode(&exchanged)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("exchange: status %d (%v)", resp.StatusCode, err)
			}

			allowed := append([]string{doc.Issuer}, trust.ExtraIssuers...)
			var seen []string
			for name, token := range map[string]string{"client credentials": m.Token("admin-client"), "access-key exchange": exchanged.SessionJwt} {
				_, claims, err := decodeSegments(token)
				if err != nil {
					t.Fatalf("%s token: %v", name, err)
				}
				iss, _ := claims["iss"].(string)
				if !slices.Contains(allowed, iss) {
					t.Errorf("%s token carries iss %q, which Trust does not name (discovery issuer %q, extra %q)", name, iss, doc.Issuer, trust.ExtraIssuers)
				}
				seen = append(seen, iss)
			}
			for _, extra := range trust.ExtraIssuers {
				if !slices.Contains(seen, extra) {
					t.Errorf("extra issuer %q is carried by no token (seen %q): trusting it is needless", extra, seen)
				}
			}
		})
	}
}
