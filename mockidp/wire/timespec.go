package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeSpec is an instant given as unix seconds, RFC 3339 text or an offset
// from the mock's now ("+90s", "-1h").
type TimeSpec struct {
	Unix   *int64
	Offset *time.Duration
	At     *time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *TimeSpec) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return fmt.Errorf("time %s must be whole unix seconds", n)
		}
		t.Unix = &v
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time must be unix seconds, RFC 3339 text or an offset like \"+5m\"")
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("offset %q: want a signed Go duration like \"+5m\"", s)
		}
		t.Offset = &d
		return nil
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("time %q: want unix seconds, RFC 3339 or an offset like \"+5m\"", s)
	}
	t.At = &at
	return nil
}

// MarshalJSON writes the form UnmarshalJSON reads: unix seconds, RFC 3339
// text, or a signed offset such as "+1m30s".
func (t *TimeSpec) MarshalJSON() ([]byte, error) {
	switch {
	case t.Unix != nil:
		return []byte(strconv.FormatInt(*t.Unix, 10)), nil
	case t.Offset != nil:
		s := t.Offset.String()
		if *t.Offset >= 0 {
			s = "+" + s
		}
		return json.Marshal(s)
	case t.At != nil:
		return json.Marshal(t.At.Format(time.RFC3339))
	}
	return []byte("null"), nil
}

// Offset returns a TimeSpec of now+d, for Go callers.
func Offset(d time.Duration) *TimeSpec { return &TimeSpec{Offset: &d} }

// At returns a TimeSpec of a fixed instant, for Go callers.
func At(t time.Time) *TimeSpec { u := t.Unix(); return &TimeSpec{Unix: &u} }

// Time is the instant t names, relative to now for an offset.
func (t *TimeSpec) Time(now time.Time) time.Time {
	if t.At != nil {
		return *t.At
	}
	return time.Unix(t.UnixAt(now), 0)
}

// UnixAt is the instant t names in unix seconds, relative to now for an
// offset; a TimeSpec that names nothing is now.
func (t *TimeSpec) UnixAt(now time.Time) int64 {
	switch {
	case t.Unix != nil:
		return *t.Unix
	case t.Offset != nil:
		return now.Add(*t.Offset).Unix()
	case t.At != nil:
		return t.At.Unix()
	}
	return now.Unix()
}
