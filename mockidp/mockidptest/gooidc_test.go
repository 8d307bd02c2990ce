package mockidptest_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

func TestMyServiceWithGoOIDC(t *testing.T) {
	t.Parallel()
	mock := mockidptest.Start(t, mockidp.Config{})
	mock.SetClock(time.Unix(mock.Now().Unix(), 0), true) // frozen, whole seconds

	// go-oidc reads the mock's discovery document, whose issuer is the
	// project's (as on Descope), and checks aud against the project ID.
	ctx := oidc.ClientContext(t.Context(), mock.Client())
	provider, err := oidc.NewProvider(ctx, mock.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: mock.ProjectID(), Now: mock.Now})

	token := mock.Token("admin-client")
	wantVerified(t, verifier, token, true)
	first := mock.KeysState().Current

	// Rotate keys: the new kid makes go-oidc fetch the key set again.
	if err := mock.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	wantVerified(t, verifier, mock.Token("admin-client"), true)

	// Revoke the first key: the mock's key set drops it at once, but go-oidc
	// keeps the keys it fetched and fetches again only for a kid it does
	// not know, so it still accepts the revoked key's tokens...
	if err := mock.RevokeKey(first); err != nil {
		t.Fatal(err)
	}
	wantVerified(t, verifier, token, true)

	// ...until a token of a key it has not seen makes it refetch.
	if err := mock.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	wantVerified(t, verifier, mock.Token("admin-client"), true)
	wantVerified(t, verifier, token, false)

	// Expiry on the shared clock.
	expired := mock.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetExpired})
	wantVerified(t, verifier, expired, false)
}

// wantVerified checks whether verifier accepts token. go-oidc stores the
// keys of a refetch in a goroutine of its own after the Verify that waited
// for them returns (and until then answers new misses with that refetch's
// result), so the verdict is asked again, a bounded number of times, while
// that goroutine has not run.
func wantVerified(t *testing.T, verifier *oidc.IDTokenVerifier, token string, want bool) {
	t.Helper()
	var err error
	for range 1000 {
		if _, err = verifier.Verify(t.Context(), token); (err == nil) == want {
			return
		}
		runtime.Gosched()
	}
	t.Errorf("Verify: accepted %v, want %v (error: %v)", err == nil, want, err)
}

// goOIDCExample names the declarations, in order, that the ```go block
// under goOIDCHeading in README.md must consist of, as readmeExample does
// for suites/README.md.
var goOIDCExample = []string{"TestMyServiceWithGoOIDC", "wantVerified"}

const goOIDCHeading = "### With coreos/go-oidc"

// TestReadmeGoOIDCExampleIsThisFile fails when README.md's go-oidc example
// is not, byte for byte, the source of the declarations in goOIDCExample.
func TestReadmeGoOIDCExampleIsThisFile(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("gooidc_test.go")
	if err != nil {
		t.Fatal(err)
	}
	want, err := declSources(src, goOIDCExample)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := goBlockUnder(string(readme), goOIDCHeading)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("README.md's example under %q is not the source of %v in gooidc_test.go%s",
			goOIDCHeading, goOIDCExample, firstDifference(got, want))
	}
}
