package mockidp

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
)

// describeJSONError says what is wrong with a control-plane body in the
// caller's terms (JSON field names and JSON types), never Go's. body is the
// whole body and dst what it was decoded into.
func describeJSONError(err error, body []byte, dst any) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends in the middle of the JSON value"
	case errors.As(err, &typeErr):
		if k := typeErr.Type.Kind(); (k == reflect.Float32 || k == reflect.Float64) && strings.HasPrefix(typeErr.Value, "number") {
			return fmt.Sprintf("%s: %s is out of range", cmp.Or(typeErr.Field, "the body"), typeErr.Value)
		}
		if typeErr.Field == "" {
			return fmt.Sprintf("the body must be %s, not %s", jsonKind(typeErr.Type), typeErr.Value)
		}
		return fmt.Sprintf("%s must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if known := jsonFields(dst); len(known) > 0 {
			return fmt.Sprintf("unknown field %s (known fields: %s)", name, strings.Join(known, ", "))
		}
		return "unknown field " + name
	}
	if field := failingField(body, dst); field != "" {
		return field + ": " + msg
	}
	return msg
}

// failingField finds the top-level field of body that does not decode into
// its field of dst on its own: errors from a type's own UnmarshalJSON
// (durations, times) do not say which field they came from.
func failingField(body []byte, dst any) string {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return ""
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f, ok := fieldByJSONName(t, name)
		if !ok {
			continue
		}
		if json.Unmarshal(raw[name], reflect.New(f.Type).Interface()) != nil {
			return name
		}
	}
	return ""
}

// jsonFields lists the JSON names of dst's top-level fields.
func jsonFields(dst any) []string {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		if name := jsonName(f); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonName is the name encoding/json gives an exported field, or "".
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch tag {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return tag
}

// jsonKind names the JSON a Go type accepts.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "an array of strings"
		}
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another JSON type"
}
