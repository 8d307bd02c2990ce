package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// jsonStringSeeds cover every branch of appendJSONString: plain ASCII, the
// characters encoding/json escapes (quote, backslash, control characters,
// HTML characters, U+2028/U+2029), DEL, other Unicode and invalid UTF-8.
var jsonStringSeeds = []string{
	"", "Admin Client", "a\"b", `back\slash`, "tab\there", "nl\n", "\x00\x01\x1f", "\x7f",
	"<script>alert(1)</script>", "Tom & Jerry", "line\u2028sep\u2029", "Zoë 名前 🙂",
	"\xff\xfe", "ok\xc3", "a\xed\xa0\x80b",
}

// FuzzAppendJSONString: appendJSONString gives exactly json.Marshal's bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := appendJSONString([]byte("prefix"), s)
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("appendJSONString(%q) = %q, want prefix%s", s, got, want)
		}
	})
}

// TestMeResponseEncoding: the /api/me body encodes exactly as the struct it
// replaced did through encoding/json, through appendJSON and json.Marshal.
func TestMeResponseEncoding(t *testing.T) {
	t.Parallel()
	type reference struct {
		Authenticated      bool    `json:"authenticated"`
		AuthenticationType string  `json:"authentication_type"`
		Name               *string `json:"name"`
		ClaimsCount        int     `json:"claims_count"`
	}
	for _, count := range []int{0, 1, 15, 1 << 40} {
		for i := -1; i < len(jsonStringSeeds); i++ {
			ref := reference{Authenticated: true, AuthenticationType: "Bearer", ClaimsCount: count}
			resp := meResponse{claimsCount: count}
			if i >= 0 {
				name := jsonStringSeeds[i]
				ref.Name = &name
				resp.name, resp.hasName = name, true
			}
			want, err := json.Marshal(ref)
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.appendJSON(nil); !bytes.Equal(got, want) {
				t.Errorf("appendJSON: got %s, want %s", got, want)
			}
			got, err := json.Marshal(resp)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("json.Marshal: got %s, %v, want %s", got, err, want)
			}
		}
	}
}

// TestContentLength: the header value is the body length, for lengths in
// the table and beyond it, and shared values cannot be appended into.
func TestContentLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 93, len(contentLengths) - 1, len(contentLengths), 1 << 20} {
		got := contentLength(n)
		if len(got) != 1 || got[0] != strconv.Itoa(n) {
			t.Errorf("contentLength(%d) = %q, want [%d]", n, got, n)
		}
		if cap(got) != len(got) {
			t.Errorf("contentLength(%d): cap %d, want len == cap so that an Add copies", n, cap(got))
		}
	}
}
