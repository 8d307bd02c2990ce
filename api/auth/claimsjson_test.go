package auth

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// referenceClaimsJSON is encoding/json decoding one object and nothing after it:
// the definition it must match.
func referenceClaimsJSON(payload []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, false
	}
	if rest := payload[dec.InputOffset():]; len(bytes.Trim(rest, " \t\r\n")) > 0 {
		return nil, false // trailing bytes after the object
	}
	return raw, true
}

// claimsJSONSeeds are payloads at the edges of the JSON grammar and of
// encoding/json's behaviour.
var claimsJSONSeeds = []string{
	`{"iss":"https://idp.test/P2test","aud":["P2test"],"exp":1767272400,"iat":1767268800,"sub":"U1","roles":["admin"],"scope":"openid"}`,
	`{}`, ` {} `, "\t\r\n{ }\n", `{"a":1}}`, `{"a":1}]`, `{"a":1} x`, `{"a":1}{"b":2}`, `{"a":1},`,
	`null`, `[]`, `"s"`, `1`, `true`, ``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,"a":1}`,
	`{"a":1 "b":2}`, `{a:1}`, `{'a':1}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":[]}`, `{"a":{}}`,
	`{"a":[[],{},[{}]]}`, `{"a":1,"a":{"b":1}}`, `{"a":{"b":1},"a":2}`,
	`{"n":0}`, `{"n":-0}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":.1}`, `{"n":1.5e+10}`, `{"n":1E-3}`,
	`{"n":1e}`, `{"n":1e+}`, `{"n":+1}`, `{"n":12345678901234567890123}`, `{"n":1.50}`, `{"n":-1.0e0}`,
	`{"t":true,"f":false,"z":null}`, `{"t":tru}`, `{"t":trueish}`, `{"z":nul}`, `{"z":NULL}`,
	`{"s":"\u00e9\n\t\"\\\/\b\f\r"}`, `{"s":"\ud83d\ude00"}`, `{"s":"\ud800"}`, `{"s":"\udc00\ud800x"}`,
	`{"s":"\u12"}`, `{"s":"\uZZZZ"}`, `{"s":"\x"}`, `{"s":"\` + "\n" + `"}`, "{\"s\":\"a\x01\"}",
	"{\"s\":\"\xff\xfe\"}", "{\"s\":\"caf\xc3\xa9\"}", "{\"\xff\":1}", `{"\u0000":1}`, "{\"s\":\"\x7f\"}",
	"\xef\xbb\xbf{}", `{"a":"b"` + "\x00", `{"a":"unterminated}`, `{"a":1}   ` + "\n",
	`{"tenants":{"T1":{"roles":["a"],"permissions":"x y"}},"dct":"T1"}`,
	strings.Repeat(`{"a":`, 10000) + `1` + strings.Repeat(`}`, 10000),
	strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001),
	`{"a":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
	`{"a":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

func TestDecodeClaimsJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range claimsJSONSeeds {
		checkClaimsJSON(t, []byte(s))
	}
}

// FuzzDecodeClaimsJSON is the differential test of decodeClaimsJSON against
// encoding/json: the same inputs accepted, the same maps produced.
func FuzzDecodeClaimsJSON(f *testing.F) {
	for _, s := range claimsJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) { checkClaimsJSON(t, payload) })
}

func checkClaimsJSON(t *testing.T, payload []byte) {
	t.Helper()
	got, gotOK := decodeClaimsJSON(payload)
	want, wantOK := referenceClaimsJSON(payload)
	if gotOK != wantOK {
		t.Fatalf("%.200q: accepted %v, encoding/json accepted %v", payload, gotOK, wantOK)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.200q: got %#v, encoding/json gave %#v", payload, got, want)
	}
}
