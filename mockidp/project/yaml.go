package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigError is a project-file problem: which file, line and field, and why.
type ConfigError struct {
	File   string
	Line   int
	Field  string
	Reason string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("project")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	return b.String()
}

// Load reads and validates a project file.
// A file over MaxProjectFileBytes is refused before it is parsed.
func Load(path string) (*Project, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading project file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxProjectFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading project file: %w", err)
	}
	if len(data) > MaxProjectFileBytes {
		return nil, &ConfigError{File: path, Reason: fmt.Sprintf("the file is over the limit of %d bytes (MaxProjectFileBytes)", MaxProjectFileBytes)}
	}
	return Parse(path, data)
}

// Parse decodes and validates a YAML project; name is used in errors.
// Unknown fields are errors, so a typo cannot silently drop a setting.
func Parse(name string, data []byte) (*Project, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, &root, err)
	}
	var p Project
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, errEmpty) || err.Error() == "EOF" {
			return nil, &ConfigError{File: name, Reason: "file is empty"}
		}
		return nil, yamlError(name, &root, err)
	}
	if err := p.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = name
			ce.Line = lineOf(&root, ce.Field)
		}
		return nil, err
	}
	return &p, nil
}

var errEmpty = errors.New("empty")

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns yaml's "yaml: line 3: field x not found in type ..." into
// a ConfigError naming the line and the dotted path of the field on it.
func yamlError(name string, root *yaml.Node, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		reason := yamlTypeReason(m[2])
		field := ""
		if f := regexp.MustCompile(`field (\S+) not found`).FindStringSubmatch(reason); f != nil {
			field, reason = f[1], "unknown field"
		}
		if path := pathAtLine(root, line); path != "" && (field == "" || strings.HasSuffix(path, field)) {
			field = path
		}
		return &ConfigError{File: name, Line: line, Field: field, Reason: reason}
	}
	return &ConfigError{File: name, Reason: msg}
}

// yamlTypeReason restates yaml's "cannot unmarshal !!str `x` into []string"
// in the file's terms: "want a list, got the string x".
func yamlTypeReason(reason string) string {
	// Compiled here, on the error path: start-up compiles no expression it
	// does not need.
	m := regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$").FindStringSubmatch(reason)
	if m == nil {
		return reason
	}
	got := map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number",
		"float": "a number", "bool": "true or false", "null": "nothing"}[m[1]]
	if got == "" {
		got = "a " + m[1]
	}
	if m[2] != "" {
		got += " (" + m[2] + ")"
	}
	var want string
	switch goType := m[3]; {
	case strings.HasPrefix(goType, "[]"):
		want = "a list"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "project."):
		want = "a mapping"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		want = "a whole number"
	case strings.HasPrefix(goType, "float"):
		want = "a number"
	case goType == "string":
		want = "a string"
	case goType == "bool":
		want = "true or false"
	default:
		return reason
	}
	return "want " + want + ", got " + got
}

// lineOf finds the line of a dotted field path such as "clients[2].ttl".
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		name, index := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			index, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := mappingValue(n, name)
		if next == nil {
			return line
		}
		line, n = next.Line, next
		if index >= 0 {
			if n.Kind != yaml.SequenceNode || index >= len(n.Content) {
				return line
			}
			n = n.Content[index]
			line = n.Line
		}
	}
	return line
}

// pathAtLine is the dotted path ("clients[0].ttl") of the deepest mapping
// key on a line, or "".
func pathAtLine(root *yaml.Node, line int) string {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var walk func(n *yaml.Node, prefix string) string
	walk = func(n *yaml.Node, prefix string) string {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, val := n.Content[i], n.Content[i+1]
				path := key.Value
				if prefix != "" {
					path = prefix + "." + key.Value
				}
				if deeper := walk(val, path); deeper != "" {
					return deeper
				}
				if key.Line == line {
					return path
				}
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				if p := walk(item, fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(n, "")
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i] // the key's line is the value's line for scalars
			}
			return n.Content[i+1]
		}
	}
	return nil
}
