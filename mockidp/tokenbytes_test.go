package mockidp_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// segments splits a compact JWS and decodes its header, payload and signature.
func segments(t *testing.T, token string) (input string, header, payload, sig []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3: %s", len(parts), token)
	}
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("segment %q: %v", s, err)
		}
		return b
	}
	return parts[0] + "." + parts[1], dec(parts[0]), dec(parts[1]), dec(parts[2])
}

// canonical re-encodes JSON the way encoding/json writes a map: sorted keys,
// HTML-safe escaping, numbers as written.
func canonical(t *testing.T, b []byte) []byte {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("payload %s: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkRS256(t *testing.T, pub *rsa.PublicKey, input string, sig []byte) {
	t.Helper()
	sum := sha256.Sum256([]byte(input))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
}

// TestTokenBytes: the JOSE header is exactly {"alg":"RS256","kid":…,"typ":"JWT"}
// and the payload is the claims as encoding/json writes them, on every path
// that signs (token endpoint, Mint, presets), before and after a rotation.
func TestTokenBytes(t *testing.T) {
	t.Parallel()
	s := newServerTB(t)
	s.SetClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), true)
	wantHeader := func(alg, kid string) string {
		return `{"alg":"` + alg + `","kid":"` + kid + `","typ":"JWT"}`
	}
	for round := range 2 {
		key := s.Keys().Current()

		tok, err := s.ClientToken("admin-client", "")
		if err != nil {
			t.Fatal(err)
		}
		input, h, p, sig := segments(t, tok)
		if string(h) != wantHeader("RS256", key.ID) {
			t.Errorf("round %d: client token header %s", round, h)
		}
		if c := canonical(t, p); !bytes.Equal(c, p) {
			t.Errorf("round %d: client token payload\n%s\nwant the encoding/json form\n%s", round, p, c)
		}
		checkRS256(t, &key.Private.PublicKey, input, sig)
		again, err := s.ClientToken("admin-client", "")
		if err != nil || again != tok {
			t.Errorf("round %d: same claims in the same second gave another token (%v)", round, err)
		}

		resp, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client", Claims: map[string]any{"note": "<a&b>"}})
		if err != nil {
			t.Fatal(err)
		}
		input, h, p, sig = segments(t, resp.Token)
		if string(h) != wantHeader("RS256", key.ID) {
			t.Errorf("round %d: minted header %s", round, h)
		}
		want, err := json.Marshal(resp.Claims)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, want) {
			t.Errorf("round %d: minted payload\n%s\nwant\n%s", round, p, want)
		}
		checkRS256(t, &key.Private.PublicKey, input, sig)

		for _, tc := range []struct{ preset, alg, kid string }{
			{mockidp.PresetUnknownKid, "RS256", resp.Kid},
			{mockidp.PresetAlgNone, "none", key.ID},
			{mockidp.PresetHS256PublicKey, "HS256", key.ID},
		} {
			r, err := s.Mint(mockidp.MintRequest{Preset: tc.preset})
			if err != nil {
				t.Fatal(err)
			}
			kid := r.Kid
			if tc.preset != mockidp.PresetUnknownKid && kid != key.ID {
				t.Errorf("%s: kid %s, want %s", tc.preset, kid, key.ID)
			}
			parts := strings.SplitN(r.Token, ".", 2)
			h, err := base64.RawURLEncoding.DecodeString(parts[0])
			if err != nil {
				t.Fatal(err)
			}
			if string(h) != wantHeader(tc.alg, kid) {
				t.Errorf("%s: header %s", tc.preset, h)
			}
		}
		if err := s.RotateKeys(1); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzEncodeClaims: the claims encoder writes exactly what json.Marshal
// writes for the same map, whatever the JSON (nesting, escapes, numbers).
func FuzzEncodeClaims(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"aud":["P1"],"exp":1777777777,"iat":1777777177,"iss":"http://x/P1","sub":"c","scope":"openid a<b"}`,
		`{"z":1,"a":{"y":[1,2.5,-3e10,null,true],"b":"\u2028<&>\"\\"},"é":"ü","":""}`,
		`{"tenants":{"T1":{"roles":["admin"],"permissions":[]}},"n":0.1,"big":123456789012345678901234567890}`,
		`{"A":1,"a":2,"_":3,"0":4,"~":5}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, useNumber := range []bool{false, true} {
			d := json.NewDecoder(strings.NewReader(doc))
			if useNumber {
				d.UseNumber()
			}
			var claims mockidp.Claims
			if err := d.Decode(&claims); err != nil || claims == nil {
				return
			}
			want, wantErr := json.Marshal(claims)
			got, err := mockidp.EncodeClaims(claims)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, json.Marshal error %v", err, wantErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoded\n%s\njson.Marshal\n%s", got, want)
			}
		}
	})
}

// TestEncodeClaimsGoValues: the Go types Mint and the token endpoint put in
// claims (int64, []string, nested maps of Go values) encode as json.Marshal does.
func TestEncodeClaimsGoValues(t *testing.T) {
	t.Parallel()
	claims := mockidp.Claims{
		"aud": []string{"P2Mock", "<other>"}, "exp": int64(1777777777), "iat": int64(-1), "iss": "https://idp/P2Mock",
		"tenants": map[string]map[string][]string{"T1": {"roles": {"a&b"}}}, "ratio": 0.25, "ok": true, "nothing": nil,
		"when": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "raw": json.RawMessage(` { "x" : 1 } `),
	}
	want, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mockidp.EncodeClaims(claims)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoded\n%s\njson.Marshal\n%s", got, want)
	}
	if _, err := mockidp.EncodeClaims(mockidp.Claims{"c": make(chan int)}); err == nil {
		t.Error("a channel claim encoded without error")
	}
}
