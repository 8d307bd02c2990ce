package auth

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeClaimsJSON decodes a verified JWT payload into the map Claims.Raw
// holds. It accepts and produces exactly what this did before (and what
// FuzzDecodeClaimsJSON compares it with):
//
//	dec := json.NewDecoder(bytes.NewReader(payload))
//	dec.UseNumber()
//	var raw map[string]any
//	err := dec.Decode(&raw)
//	ok := err == nil && raw != nil && only JSON whitespace follows
//
// that is: one JSON object, optionally surrounded by whitespace; numbers as
// json.Number; the last of duplicate keys wins; at most 10000 levels of
// nesting. It is a single pass over the payload: the payload is copied into
// one string and every key, ASCII string and number is a substring of it.
// Strings with escapes or non-ASCII bytes are unquoted by encoding/json
// itself, so replacement of invalid UTF-8 and of lone surrogates stays
// encoding/json's.
func decodeClaimsJSON(payload []byte) (map[string]any, bool) {
	d := claimsDecoder{s: string(payload)}
	d.skipSpace()
	if d.pos >= len(d.s) || d.s[d.pos] != '{' {
		return nil, false
	}
	m, ok := d.object(1)
	if !ok {
		return nil, false
	}
	d.skipSpace()
	if d.pos < len(d.s) { // trailing bytes: not one JSON object
		return nil, false
	}
	return m, true
}

// maxClaimsDepth is encoding/json's nesting limit.
const maxClaimsDepth = 10000

type claimsDecoder struct {
	s   string
	pos int
}

func (d *claimsDecoder) skipSpace() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the value at d.pos (no leading space); depth counts the
// objects and arrays around it.
func (d *claimsDecoder) value(depth int) (any, bool) {
	if d.pos >= len(d.s) {
		return nil, false
	}
	switch c := d.s[d.pos]; {
	case c == '{':
		m, ok := d.object(depth + 1)
		return m, ok
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

// object decodes the object whose '{' is at d.pos.
func (d *claimsDecoder) object(depth int) (map[string]any, bool) {
	if depth > maxClaimsDepth {
		return nil, false
	}
	d.pos++ // '{'
	m := make(map[string]any)
	d.skipSpace()
	if d.pos < len(d.s) && d.s[d.pos] == '}' {
		d.pos++
		return m, true
	}
	for {
		if d.pos >= len(d.s) || d.s[d.pos] != '"' {
			return nil, false
		}
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.pos >= len(d.s) || d.s[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.skipSpace()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[key] = v
		more, ok := d.separator('}')
		if !ok {
			return nil, false
		}
		if !more {
			return m, true
		}
	}
}

// separator consumes what follows an element of an object or array: a ','
// (more elements follow) or the closing byte (none do); ok is false for
// anything else.
func (d *claimsDecoder) separator(closing byte) (more, ok bool) {
	d.skipSpace()
	if d.pos >= len(d.s) {
		return false, false
	}
	switch d.s[d.pos] {
	case ',':
		d.pos++
		d.skipSpace()
		return true, true
	case closing:
		d.pos++
		return false, true
	}
	return false, false
}

// array decodes the array whose '[' is at d.pos.
func (d *claimsDecoder) array(depth int) ([]any, bool) {
	if depth > maxClaimsDepth {
		return nil, false
	}
	d.pos++ // '['
	a := make([]any, 0)
	d.skipSpace()
	if d.pos < len(d.s) && d.s[d.pos] == ']' {
		d.pos++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		more, ok := d.separator(']')
		if !ok {
			return nil, false
		}
		if !more {
			return a, true
		}
	}
}

// str decodes the string whose opening quote is at d.pos.
func (d *claimsDecoder) str() (string, bool) {
	start := d.pos
	escaped, nonASCII := false, false
	for i := start + 1; i < len(d.s); i++ {
		switch c := d.s[i]; {
		case c == '"':
			d.pos = i + 1
			if quoted := d.s[start+1 : i]; !escaped && (!nonASCII || utf8.ValidString(quoted)) {
				return quoted, true
			}
			var s string
			if json.Unmarshal([]byte(d.s[start:i+1]), &s) != nil {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		case c == '\\':
			escaped = true
			i++
			if i >= len(d.s) {
				return "", false
			}
			switch d.s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.s) {
					return "", false
				}
				for j := i + 1; j <= i+4; j++ {
					if !isHex(d.s[j]) {
						return "", false
					}
				}
				i += 4
			default:
				return "", false
			}
		case c >= utf8.RuneSelf:
			nonASCII = true
		}
	}
	return "", false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number decodes the number at d.pos with JSON's grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as a json.Number.
func (d *claimsDecoder) number() (any, bool) {
	start := d.pos
	i := start
	if d.s[i] == '-' {
		i++
	}
	switch {
	case i < len(d.s) && d.s[i] == '0':
		i++
	case i < len(d.s) && '1' <= d.s[i] && d.s[i] <= '9':
		i = d.digits(i)
	default:
		return nil, false
	}
	if i < len(d.s) && d.s[i] == '.' {
		if j := d.digits(i + 1); j > i+1 {
			i = j
		} else {
			return nil, false
		}
	}
	if i < len(d.s) && (d.s[i] == 'e' || d.s[i] == 'E') {
		i++
		if i < len(d.s) && (d.s[i] == '+' || d.s[i] == '-') {
			i++
		}
		if j := d.digits(i); j > i {
			i = j
		} else {
			return nil, false
		}
	}
	d.pos = i
	return json.Number(d.s[start:i]), true
}

// digits returns the index after the run of digits starting at i.
func (d *claimsDecoder) digits(i int) int {
	for i < len(d.s) && '0' <= d.s[i] && d.s[i] <= '9' {
		i++
	}
	return i
}

// literal consumes word (true, false or null) at d.pos.
func (d *claimsDecoder) literal(word string) bool {
	if len(d.s)-d.pos < len(word) || d.s[d.pos:d.pos+len(word)] != word {
		return false
	}
	d.pos += len(word)
	return true
}
