package auth_test

import (
	"crypto/tls"
	"errors"
	"net/http"
	"testing"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// Config.HTTPClient is how a service trusts a provider served with a
// private CA: with a transport trusting the mock's CA the validator loads
// its keys over HTTPS and accepts its tokens; with the zero value (system
// roots) it refuses the provider's certificate, and has no keys.
func TestHTTPClientTrustingAPrivateCA(t *testing.T) {
	t.Parallel()
	m := mockidptest.StartTLS(t, mockidp.Config{})
	token := m.Token("admin-client")
	for _, tc := range []struct {
		name   string
		client *http.Client
		ok     bool
	}{
		{"a client trusting the CA", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: m.CA.Pool()}}}, true},
		{"the default client", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := auth.New(auth.Config{DiscoveryURL: m.DiscoveryURL(), Audience: m.ProjectID(), HTTPClient: tc.client,
				DiscoveryRetries: -1, Now: m.Now})
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Validate(t.Context(), token)
			switch {
			case tc.ok && err != nil:
				t.Errorf("Validate: %v, want success", err)
			case !tc.ok && !errors.Is(err, auth.ErrUnavailable):
				t.Errorf("Validate: %v, want ErrUnavailable", err)
			}
		})
	}
}
