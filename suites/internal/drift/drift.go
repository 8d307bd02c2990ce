// Package drift compares what the mock issuer serves with what real Descope
// serves: the discovery document's fields, the shape of the key set's JWKs,
// a client-credentials token's header and claim names, and (when both sides
// have them) a user's session and refresh JWTs' header and claim names. Compare is a pure function, so the
// comparison is tested offline against canned documents; the live suite
// feeds it the real ones.
package drift

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Documents is what one provider serves.
type Documents struct {
	// Discovery is the project's OpenID configuration.
	Discovery map[string]any
	// KeySet is the key set, {"keys":[…]}.
	KeySet map[string]any
	// TokenHeader and TokenClaims are a client-credentials token's header and payload.
	TokenHeader, TokenClaims map[string]any
	// SessionHeader and SessionClaims (optional) are a user session JWT's
	// (drn "DS", from the test-user flow) header and payload.
	SessionHeader, SessionClaims map[string]any
	// RefreshHeader and RefreshClaims (optional) are the same login's refresh JWT's (drn "DSR").
	RefreshHeader, RefreshClaims map[string]any
}

// Difference is one way the mock differs from Descope.
type Difference struct {
	// Area is "discovery", "jwk", "token header", "token claims",
	// "session header", "session claims", "refresh header" or "refresh claims".
	Area string
	// Item is the field, member or claim concerned.
	Item string
	// Mock and Live describe each side ("absent" when missing).
	Mock, Live string
}

// Report is the differences, sorted by area and item.
type Report struct {
	Differences []Difference
}

// absent marks a field one side lacks.
const absent = "absent"

// Compare lists how mock differs from live. Endpoint URLs are compared by
// path, with each document's project ID replaced by {pid}, because hosts
// always differ; lists of strings are compared as sets; other values by
// their JSON type and, for strings and numbers, their value.
func Compare(mock, live Documents) Report {
	var diffs []Difference
	diffs = append(diffs, compareObjects("discovery", mock.Discovery, live.Discovery, projectOf(mock.Discovery), projectOf(live.Discovery))...)
	diffs = append(diffs, compareObjects("jwk", jwkShape(mock.KeySet), jwkShape(live.KeySet), "", "")...)
	diffs = append(diffs, compareNames("token header", mock.TokenHeader, live.TokenHeader, "alg", "typ")...)
	diffs = append(diffs, compareNames("token claims", mock.TokenClaims, live.TokenClaims, "token_type")...)
	// Session and refresh JWTs are compared only when both sides collected
	// them (the live side needs a management key for the test-user flow).
	// drn tells them apart, so its value is compared; amr and tu too, since
	// both sides log in the same way (an email OTP of a test user).
	if mock.SessionClaims != nil && live.SessionClaims != nil {
		diffs = append(diffs, compareNames("session header", mock.SessionHeader, live.SessionHeader, "alg", "typ")...)
		diffs = append(diffs, compareNames("session claims", mock.SessionClaims, live.SessionClaims, "drn", "amr", "tu")...)
	}
	if mock.RefreshClaims != nil && live.RefreshClaims != nil {
		diffs = append(diffs, compareNames("refresh header", mock.RefreshHeader, live.RefreshHeader, "alg", "typ")...)
		diffs = append(diffs, compareNames("refresh claims", mock.RefreshClaims, live.RefreshClaims, "drn", "amr", "tu")...)
	}
	sort.SliceStable(diffs, func(i, j int) bool {
		if diffs[i].Area != diffs[j].Area {
			return diffs[i].Area < diffs[j].Area
		}
		return diffs[i].Item < diffs[j].Item
	})
	return Report{Differences: diffs}
}

// projectOf is the project ID in a discovery document's issuer (its last path segment).
func projectOf(doc map[string]any) string {
	iss, _ := doc["issuer"].(string)
	u, err := url.Parse(iss)
	if err != nil || u.Path == "" {
		return iss
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	return parts[len(parts)-1]
}

// compareObjects compares two JSON objects field by field.
func compareObjects(area string, mock, live map[string]any, mockPID, livePID string) []Difference {
	var diffs []Difference
	for _, k := range unionKeys(mock, live) {
		mv, inMock := mock[k]
		lv, inLive := live[k]
		switch {
		case !inMock:
			diffs = append(diffs, Difference{area, k, absent, describe(lv, livePID)})
		case !inLive:
			diffs = append(diffs, Difference{area, k, describe(mv, mockPID), absent})
		default:
			if d, ok := compareValues(mv, lv, mockPID, livePID); !ok {
				diffs = append(diffs, Difference{area, k, d[0], d[1]})
			}
		}
	}
	return diffs
}

// compareValues reports whether two values agree and, if not, how each side reads.
func compareValues(mv, lv any, mockPID, livePID string) ([2]string, bool) {
	ms, mList := stringList(mv)
	ls, lList := stringList(lv)
	if mList && lList {
		onlyMock, onlyLive := setDiff(ms, ls), setDiff(ls, ms)
		if len(onlyMock) == 0 && len(onlyLive) == 0 {
			return [2]string{}, true
		}
		return [2]string{extra(onlyMock), extra(onlyLive)}, false
	}
	if mStr, ok := mv.(string); ok {
		if lStr, ok := lv.(string); ok {
			m, l := normalise(mStr, mockPID), normalise(lStr, livePID)
			return [2]string{m, l}, m == l
		}
	}
	if typeOf(mv) != typeOf(lv) {
		return [2]string{typeOf(mv), typeOf(lv)}, false
	}
	m, l := fmt.Sprint(mv), fmt.Sprint(lv)
	return [2]string{m, l}, m == l
}

// normalise turns a URL into its path with the project ID as {pid}.
func normalise(s, pid string) string {
	u, err := url.Parse(s)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		s = u.Path
		if s == "" {
			s = "/"
		}
	}
	if pid != "" {
		s = strings.ReplaceAll(s, pid, "{pid}")
	}
	return s
}

// compareNames compares which names two objects have, and the values of the named fields.
func compareNames(area string, mock, live map[string]any, valued ...string) []Difference {
	var diffs []Difference
	for _, k := range unionKeys(mock, live) {
		mv, inMock := mock[k]
		lv, inLive := live[k]
		switch {
		case !inMock:
			diffs = append(diffs, Difference{area, k, absent, typeOf(lv)})
		case !inLive:
			diffs = append(diffs, Difference{area, k, typeOf(mv), absent})
		case typeOf(mv) != typeOf(lv):
			diffs = append(diffs, Difference{area, k, typeOf(mv), typeOf(lv)})
		case slices.Contains(valued, k) && fmt.Sprint(mv) != fmt.Sprint(lv):
			diffs = append(diffs, Difference{area, k, fmt.Sprint(mv), fmt.Sprint(lv)})
		}
	}
	return diffs
}

// jwkShape summarises a key set: the members its keys carry (present in
// every key, some keys, or none) and the values of kty, alg and use.
func jwkShape(set map[string]any) map[string]any {
	keys, _ := set["keys"].([]any)
	shape := map[string]any{"key count > 0": fmt.Sprint(len(keys) > 0)}
	counts := map[string]int{}
	values := map[string][]string{}
	for _, k := range keys {
		jwk, _ := k.(map[string]any)
		for name, v := range jwk {
			counts[name]++
			if name == "kty" || name == "alg" || name == "use" {
				if s, ok := v.(string); ok && !slices.Contains(values[name], s) {
					values[name] = append(values[name], s)
				}
			}
			if name == "n" {
				if s, ok := v.(string); ok {
					shape["modulus bits"] = fmt.Sprint(len(s) * 6 / 1024 * 1024)
				}
			}
		}
	}
	for name, n := range counts {
		presence := "in every key"
		if n < len(keys) {
			presence = "in some keys"
		}
		shape["member "+name] = presence
	}
	for name, vs := range values {
		sort.Strings(vs)
		shape[name+" values"] = strings.Join(vs, " ")
	}
	return shape
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// stringList reads a JSON list of strings.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func setDiff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// typeOf names a decoded JSON value's type.
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, int, int64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// extra describes the elements of a list only one side has.
func extra(only []string) string {
	if len(only) == 0 {
		return "no extra elements"
	}
	return "extra: " + strings.Join(only, " ")
}

// describe is a short rendering of a value for the report; URLs become
// paths with the project ID as {pid}.
func describe(v any, pid string) string {
	if list, ok := stringList(v); ok {
		return strings.Join(list, " ")
	}
	switch v := v.(type) {
	case string:
		return normalise(v, pid)
	case map[string]any, []any:
		return typeOf(v)
	}
	return fmt.Sprint(v)
}

// Markdown renders the report as a Markdown document.
func (r Report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Drift between mockidp and Descope\n\n")
	if len(r.Differences) == 0 {
		b.WriteString("No differences in discovery fields, key-set JWK shape or the header and claim names of the tokens compared.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d difference(s). URLs are compared by path with the project ID as {pid}.\n\n", len(r.Differences))
	b.WriteString("| Area | Item | mockidp | Descope |\n|---|---|---|---|\n")
	for _, d := range r.Differences {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(d.Area), cell(d.Item), cell(d.Mock), cell(d.Live))
	}
	return b.String()
}

func cell(s string) string {
	if s == "" {
		return " "
	}
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
