package auth

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Claims is a verified token's claim set. Every Validate call returns the
// caller's own deep copy, also for a token answered from the verified-token
// cache, so a handler may change its Claims (Raw and everything in it too)
// without racing another request that carries the same token.
type Claims struct {
	Raw           map[string]any    // every claim verbatim; numbers are json.Number so they round-trip exactly
	Token         string            // the raw token (for token-info endpoints); never log it
	Subject       string            // sub
	Issuer        string            // iss
	ClientID      string            // azp, else client_id
	Audience      []string          // aud as a list
	Expiry        time.Time         // exp
	IssuedAt      time.Time         // iat (zero when absent)
	NotBefore     time.Time         // nbf (zero when absent)
	Roles         []string          // the top-level roles claim (a list, or a string split on spaces or commas)
	Permissions   []string          // the top-level permissions claim (a list, or a string split on spaces or commas)
	Scopes        []string          // the scope string split on spaces, else the scp list
	CurrentTenant string            // dct, the tenant the session is acting in ("" when absent)
	Tenants       map[string]Tenant // the tenants claim: tenant ID to that tenant's roles and permissions
}

// Tenant is one entry of the Descope tenants claim.
type Tenant struct {
	Roles       []string // the tenant's roles (a list, or a string split on spaces or commas)
	Permissions []string // the tenant's permissions (a list, or a string split on spaces or commas)
}

// HasRole reports whether role is a top-level role or a role in the current tenant (dct).
func (c *Claims) HasRole(role string) bool {
	return slices.Contains(c.Roles, role) || slices.Contains(c.currentTenant().Roles, role)
}

// HasPermission reports whether p is a top-level permission or a permission in the current tenant (dct).
func (c *Claims) HasPermission(p string) bool {
	return slices.Contains(c.Permissions, p) || slices.Contains(c.currentTenant().Permissions, p)
}

// HasScope reports whether s is one of the token's scopes.
func (c *Claims) HasScope(s string) bool { return slices.Contains(c.Scopes, s) }

// HasTenantRole reports whether role is in the current tenant's (dct) roles.
func (c *Claims) HasTenantRole(role string) bool {
	return slices.Contains(c.currentTenant().Roles, role)
}

// HasTenantPermission reports whether p is in the current tenant's (dct) permissions.
func (c *Claims) HasTenantPermission(p string) bool {
	return slices.Contains(c.currentTenant().Permissions, p)
}

// EffectiveRoles returns the top-level roles followed by the current
// tenant's, without duplicates, in first-seen order.
func (c *Claims) EffectiveRoles() []string { return union(c.Roles, c.currentTenant().Roles) }

// EffectivePermissions returns the top-level permissions followed by the
// current tenant's, without duplicates, in first-seen order.
func (c *Claims) EffectivePermissions() []string {
	return union(c.Permissions, c.currentTenant().Permissions)
}

func (c *Claims) currentTenant() Tenant {
	if c.CurrentTenant == "" {
		return Tenant{}
	}
	return c.Tenants[c.CurrentTenant]
}

func union(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// clone is a deep copy of c: nothing of it shares memory with c except
// strings and json.Number values, which cannot be changed.
func (c *Claims) clone() *Claims {
	d := *c
	d.Raw, _ = cloneValue(c.Raw).(map[string]any)
	d.Audience = slices.Clone(c.Audience)
	d.Roles = slices.Clone(c.Roles)
	d.Permissions = slices.Clone(c.Permissions)
	d.Scopes = slices.Clone(c.Scopes)
	d.Tenants = maps.Clone(c.Tenants)
	for id, t := range d.Tenants {
		d.Tenants[id] = Tenant{Roles: slices.Clone(t.Roles), Permissions: slices.Clone(t.Permissions)}
	}
	return &d
}

// cloneValue deep-copies a decoded JSON value.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v // string, json.Number, bool or nil
}

// parseClaims decodes a verified payload into Claims. The payload must be
// exactly one JSON object (whitespace around it allowed); numbers are
// json.Number so that they round-trip exactly, and as encoding/json does, the
// last of duplicate keys wins. Structural problems (not a JSON object, trailing
// data, wrong claim types) are ErrMalformed; a missing exp is ErrMissingExp.
// Semantic checks (iss, aud, exp, nbf) are checkClaims'.
func parseClaims(payload []byte) (*Claims, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, ErrMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrMalformed // trailing data after the object
	}
	c := &Claims{Raw: raw}
	var azp, clientID string
	for name, dst := range map[string]*string{
		"sub": &c.Subject, "iss": &c.Issuer, "azp": &azp, "client_id": &clientID, "dct": &c.CurrentTenant,
	} {
		s, ok := optionalString(raw, name)
		if !ok {
			return nil, ErrMalformed
		}
		*dst = s
	}
	c.ClientID = cmp.Or(azp, clientID)

	switch aud := raw["aud"].(type) {
	case nil:
	case string:
		c.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return nil, ErrMalformed
			}
			c.Audience = append(c.Audience, s)
		}
	default:
		return nil, ErrMalformed
	}

	if _, present := raw["exp"]; !present {
		return nil, ErrMissingExp
	}
	for name, dst := range map[string]*time.Time{"exp": &c.Expiry, "iat": &c.IssuedAt, "nbf": &c.NotBefore} {
		t, ok := numericDate(raw, name)
		if !ok {
			return nil, ErrMalformed
		}
		*dst = t
	}

	c.Roles = stringList(raw["roles"])
	c.Permissions = stringList(raw["permissions"])
	if scope, ok := raw["scope"].(string); ok {
		c.Scopes = strings.Fields(scope)
	} else {
		c.Scopes = stringList(raw["scp"])
	}
	if tenants, ok := raw["tenants"].(map[string]any); ok {
		c.Tenants = make(map[string]Tenant, len(tenants))
		for id, t := range tenants {
			tm, _ := t.(map[string]any)
			c.Tenants[id] = Tenant{Roles: stringList(tm["roles"]), Permissions: stringList(tm["permissions"])}
		}
	}
	return c, nil
}

// optionalString returns raw[name] as a string; ok is false when it is present but not a string.
func optionalString(raw map[string]any, name string) (string, bool) {
	v := raw[name]
	s, ok := v.(string)
	return s, ok || v == nil // absent or null is ""
}

// maxNumericDate bounds NumericDate claims (in seconds; about the year
// 2116) for integers and fractions alike. Beyond it time.Unix wraps
// around: an nbf of 2^63-1 became a date in the past and was accepted.
const maxNumericDate = 1 << 62 / 1_000_000_000

// numericDate reads a NumericDate claim (seconds since the epoch, possibly
// fractional; the zero time when absent). ok is false when the claim is
// present but not a finite number within ±maxNumericDate.
func numericDate(raw map[string]any, name string) (t time.Time, ok bool) {
	v, present := raw[name]
	if !present {
		return time.Time{}, true
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, false
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		if i > maxNumericDate || i < -maxNumericDate {
			return time.Time{}, false
		}
		return time.Unix(i, 0), true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// stringList reads a list of strings, or a string split on spaces or commas.
// Non-string list elements are ignored.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
