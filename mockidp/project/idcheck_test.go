package project

import (
	"regexp"
	"strings"
	"testing"
)

// The regular expressions the ID checks stand for.
var (
	projectIDRegexp = regexp.MustCompile(`^P[A-Za-z0-9]{27}$`)
	idRegexp        = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`)
)

func checkIDValidators(t *testing.T, s string) {
	t.Helper()
	if got, want := validProjectID(s), projectIDRegexp.MatchString(s); got != want {
		t.Errorf("ValidProjectID(%q) = %v, the regular expression says %v", s, got, want)
	}
	if got, want := validID(s), idRegexp.MatchString(s); got != want {
		t.Errorf("ValidID(%q) = %v, the regular expression says %v", s, got, want)
	}
}

// TestIDValidatorsMatchTheirRegexps: every byte, every length around the
// limits, non-ASCII letters and a trailing newline.
func TestIDValidatorsMatchTheirRegexps(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		pid := []byte(DefaultProjectID)
		pid[c%len(pid)] = byte(c) // every byte at every position of a project ID
		for _, s := range []string{string(rune(c)), string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "b", string(pid)} {
			checkIDValidators(t, s)
		}
	}
	for _, n := range []int{0, 1, 26, 27, 28, 30, 31, 32, 127, 128, 129} {
		checkIDValidators(t, strings.Repeat("a", n))
		checkIDValidators(t, strings.Repeat("9.", n/2))
		checkIDValidators(t, "P"+strings.Repeat("a", n))
	}
	for _, s := range []string{DefaultProjectID, "admin-client", "K2Mock:key@x.y", "abc\n", "é", "ab c", "a/b", "日本"} {
		checkIDValidators(t, s)
	}
}

func FuzzIDValidators(f *testing.F) {
	for _, s := range []string{"", "P2Mock", "a.b_c:d@e-f", "abc\n", "é"} {
		f.Add(s)
	}
	f.Fuzz(checkIDValidators)
}
