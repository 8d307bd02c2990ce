package drift

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// canned loads testdata/<name>.json, with a 2048-bit-long modulus.
func canned(t *testing.T, name string) Documents {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.ReplaceAll(string(raw), "REPLACED_BY_TEST", strings.Repeat("A", 342)))
	var wire struct {
		Discovery   map[string]any `json:"discovery"`
		KeySet      map[string]any `json:"key_set"`
		TokenHeader map[string]any `json:"token_header"`
		TokenClaims map[string]any `json:"token_claims"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		t.Fatal(err)
	}
	return Documents{Discovery: wire.Discovery, KeySet: wire.KeySet, TokenHeader: wire.TokenHeader, TokenClaims: wire.TokenClaims}
}

func TestCompareCannedDocuments(t *testing.T) {
	t.Parallel()
	report := Compare(canned(t, "mock"), canned(t, "live"))
	got := map[string]Difference{}
	for _, d := range report.Differences {
		got[d.Area+"/"+d.Item] = d
	}
	tests := []struct {
		name string
		key  string
		want *Difference // nil: no difference expected
	}{
		{"issuer agrees by path with the project ID normalised", "discovery/issuer", nil},
		{"jwks_uri agrees by path", "discovery/jwks_uri", nil},
		{"token endpoint path differs", "discovery/token_endpoint", &Difference{"discovery", "token_endpoint", "/oauth2/v1/token", "/oauth2/v1/apps/token"}},
		{"field only live serves", "discovery/userinfo_endpoint", &Difference{"discovery", "userinfo_endpoint", absent, "/oauth2/v1/userinfo"}},
		{"list compared as a set", "discovery/response_types_supported", &Difference{"discovery", "response_types_supported", "no extra elements", "extra: id_token"}},
		{"equal lists agree", "discovery/scopes_supported", nil},
		{"JWK member only live has", "jwk/member x5c", &Difference{"jwk", "member x5c", absent, "in every key"}},
		{"JWK alg values agree", "jwk/alg values", nil},
		{"JWK modulus size agrees", "jwk/modulus bits", nil},
		{"claim only live has", "token claims/drn", &Difference{"token claims", "drn", absent, "string"}},
		{"claim only the mock has", "token claims/token_type", &Difference{"token claims", "token_type", "string", absent}},
		{"claim type differs", "token claims/aud", &Difference{"token claims", "aud", "array", "string"}},
		{"claim values other than names are not compared", "token claims/sub", nil},
		{"header agrees", "token header/alg", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, found := got[tt.key]
			switch {
			case tt.want == nil && found:
				t.Errorf("got difference %+v, want none", d)
			case tt.want != nil && !found:
				t.Errorf("got no difference for %s, want %+v", tt.key, *tt.want)
			case tt.want != nil && d != *tt.want:
				t.Errorf("got %+v, want %+v", d, *tt.want)
			}
		})
	}
}

func TestCompareIdenticalDocumentsHasNoDifferences(t *testing.T) {
	t.Parallel()
	doc := canned(t, "mock")
	if got := Compare(doc, doc).Differences; len(got) != 0 {
		t.Errorf("got %d differences %+v, want 0", len(got), got)
	}
	if got, want := Compare(doc, doc).Markdown(), "No differences"; !strings.Contains(got, want) {
		t.Errorf("got Markdown %q, want it to contain %q", got, want)
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	t.Parallel()
	md := Report{Differences: []Difference{{"discovery", "a|b", "x\ny", ""}}}.Markdown()
	for _, want := range []string{"| Area | Item | mockidp | Descope |", `a\|b`, "x y", "1 difference(s)"} {
		if !strings.Contains(md, want) {
			t.Errorf("got Markdown %q, want it to contain %q", md, want)
		}
	}
}

func TestCompareSessionAndRefreshTokens(t *testing.T) {
	t.Parallel()
	header := map[string]any{"alg": "RS256", "kid": "k", "typ": "JWT"}
	mock := Documents{
		SessionHeader: header,
		SessionClaims: map[string]any{"amr": []any{"email"}, "drn": "DS", "exp": 1.0, "iat": 1.0, "iss": "x", "rexp": "t", "sub": "U1", "tu": true},
		RefreshHeader: header,
		RefreshClaims: map[string]any{"drn": "DSR", "exp": 1.0, "iat": 1.0, "iss": "x", "sub": "U1"},
	}
	live := Documents{
		SessionHeader: header,
		SessionClaims: map[string]any{"amr": []any{"email"}, "drn": "DS", "exp": 2.0, "iat": 2.0, "iss": "y", "rexp": "u", "sub": "U2", "tu": true, "nsec": map[string]any{}},
		RefreshHeader: map[string]any{"alg": "RS256", "kid": "k2", "typ": "JWT"},
		RefreshClaims: map[string]any{"drn": "DS", "exp": 2.0, "iat": 2.0, "iss": "y", "sub": "U2", "tu": true},
	}
	got := Compare(mock, live).Differences
	want := []Difference{
		{"refresh claims", "drn", "DSR", "DS"},
		{"refresh claims", "tu", absent, "boolean"},
		{"session claims", "nsec", absent, "object"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d differences %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("difference %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	// One side without session tokens (no management key live): not compared.
	if got := Compare(Documents{}, live).Differences; len(got) != 0 {
		t.Errorf("got %+v with no mock session tokens, want no differences", got)
	}
}
