package auth_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"testing"
)

// FuzzValidateSignedToken signs any header and payload bytes with the
// published key and validates the result, so the fuzzer reaches header and
// claim parsing behind a good signature. Invariants: no panic; failures are
// sentinel errors; an accepted token passes an independent check of iss, aud,
// exp and nbf (decoded here with encoding/json and math/big).
func FuzzValidateSignedToken(f *testing.F) {
	p := newFuzzProvider(f)
	v := p.validator(f)
	if _, err := v.Validate(f.Context(), p.validToken(f)); err != nil {
		f.Fatalf("loading keys with a valid token: %v", err)
	}
	good, err := json.Marshal(p.validClaims())
	if err != nil {
		f.Fatal(err)
	}
	hdr := []byte(`{"alg":"RS256","kid":"` + fuzzKid + `","typ":"JWT"}`)
	iss, aud := p.issuer(), `["`+fuzzAudience+`"]`
	f.Add(hdr, good)
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":"`+fuzzAudience+`","exp":1750000600.5,"nbf":1750000000}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":9223372036854775807,"nbf":9223372036854775807}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":1750000600,"nbf":9223372036854775807}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":1750000600,"nbf":9.2e18}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":1e300}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":-9223372036854775808}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":"1750000600"}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":[1],"exp":1750000600}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`}`))
	f.Add(hdr, []byte(`{"iss":"`+iss+`","aud":`+aud+`,"exp":1750000600,"roles":"a,b c","tenants":{"T1":{"roles":["x"]},"T2":null},"dct":"T1","scp":["openid"]}`))
	f.Add(hdr, []byte(`{"iss":null,"aud":null,"exp":null,"sub":1}`))
	f.Add(hdr, []byte(`[]`))
	f.Add(hdr, []byte(`null`))
	f.Add(hdr, []byte(`{} {}`))
	f.Add([]byte(`{"alg":"RS256"}`), good)
	f.Add([]byte(`{"alg":"RS512","kid":"`+fuzzKid+`"}`), good)
	f.Add([]byte(`{"alg":"none","kid":"`+fuzzKid+`"}`), good)
	f.Add([]byte(`{"alg":"RS256","kid":"`+fuzzKid+`","crit":["exp"]}`), good)
	f.Add([]byte(`{"alg":"RS256","kid":"`+fuzzKid+`","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}`), good)
	f.Add([]byte(`{"alg":"RS256","kid":"`+fuzzKid+`","b64":false,"crit":["b64"]}`), good)

	f.Fuzz(func(t *testing.T, header, payload []byte) {
		token := p.signJSON(t, header, payload)
		c, err := v.Validate(t.Context(), token)
		if err != nil {
			checkAuthError(t, err)
			return
		}
		if c.Token != token {
			t.Errorf("claims carry token %q, want the validated one", c.Token)
		}
		checkAcceptedClaims(t, payload, p.issuer())
	})
}

// checkAcceptedClaims re-checks an accepted payload without the validator's
// code: iss must be the issuer, aud must contain the audience, and the token
// must be clearly inside [nbf-leeway, exp+leeway) at fuzzNow (one second of
// slack absorbs float rounding at the edges).
func checkAcceptedClaims(t *testing.T, payload []byte, issuer string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("accepted payload %q is not a JSON object: %v", payload, err)
	}
	if raw["iss"] != issuer {
		t.Errorf("accepted iss %v, want %q", raw["iss"], issuer)
	}
	switch a := raw["aud"].(type) {
	case string:
		if a != fuzzAudience {
			t.Errorf("accepted aud %q, want %q", a, fuzzAudience)
		}
	case []any:
		if !slices.Contains(a, any(fuzzAudience)) {
			t.Errorf("accepted aud %v, want it to contain %q", a, fuzzAudience)
		}
	default:
		t.Errorf("accepted aud %v (%T), want a string or a list", raw["aud"], raw["aud"])
	}
	now := new(big.Float).SetInt64(fuzzNow.Unix())
	leeway := new(big.Float).SetFloat64(fuzzLeeway.Seconds())
	one := big.NewFloat(1)
	exp, ok := number(raw["exp"])
	if !ok {
		t.Fatalf("accepted exp %v, want a number", raw["exp"])
	}
	// Reject expectation: exp + leeway + 1 <= now means clearly expired.
	if new(big.Float).Add(new(big.Float).Add(exp, leeway), one).Cmp(now) <= 0 {
		t.Errorf("accepted exp %v, which is expired at %d", raw["exp"], fuzzNow.Unix())
	}
	if v, present := raw["nbf"]; present {
		nbf, ok := number(v)
		if !ok {
			t.Fatalf("accepted nbf %v, want a number", v)
		}
		// nbf - leeway - 1 > now means clearly not yet valid.
		if new(big.Float).Sub(new(big.Float).Sub(nbf, leeway), one).Cmp(now) > 0 {
			t.Errorf("accepted nbf %v, which is in the future at %d", v, fuzzNow.Unix())
		}
	}
}

func number(v any) (*big.Float, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
	return f, err == nil
}
