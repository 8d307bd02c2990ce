package mockidp_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/descope-harness/harness/mockidp"
)

// FuzzFlowRequest: the flow start and next parsers take any bytes: they
// return form values within the limits, or a Descope 400 naming the
// problem (never a panic, a 5xx or another error).
func FuzzFlowRequest(f *testing.F) {
	for _, s := range []string{
		`{"flowId":"sign-up-or-in"}`, `{"flowId":"sign-in","options":{"location":"http://localhost:3000/x","redirectUrl":"https://a.test/"},"interactionId":"continue","input":{"email":"a@b.test","origin":"http://x","n":1,"l":[1],"z":null}}`,
		`{"executionId":"sign-up-or-in|#|00ff","stepId":"2","interactionId":"verify","input":{"code":"123456"}}`, `{"executionId":"|#|","stepId":"0","interactionId":"x"}`,
		`{"executionId":"a|#|b","stepId":"-1","interactionId":"x"}`, `{"input":[]}`, `{"input":{"a":"\u0000"}}`, `[`, ``, `null`, `{"flowId":"a"} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, parse := range map[string]func([]byte) (map[string]string, error){"start": mockidp.ParseFlowStart, "next": mockidp.ParseFlowNext} {
			input, err := parse(body)
			if err != nil {
				var e *mockidp.Error
				if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code == "" || e.Message == "" {
					t.Fatalf("%s %q: error %v, want a Descope 400 naming the problem", name, body, err)
				}
				continue
			}
			if len(input) > 64 {
				t.Fatalf("%s %q: %d form values taken", name, body, len(input))
			}
			for k, v := range input {
				if len(v) > 1024 || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n") || len(k) > 256 {
					t.Fatalf("%s %q: took %q = %q", name, body, k, v)
				}
			}
		}
	})
}
