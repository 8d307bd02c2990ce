package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dockerfile is a parsed Dockerfile: its global ARGs and its stages.
type dockerfile struct {
	name       string
	globalArgs []string
	stages     []*stage
}

// stage is one FROM … [AS name] block.
type stage struct {
	base, name   string
	instructions []instruction
}

// instruction is one logical line: the keyword in upper case and the rest.
type instruction struct {
	keyword, args string
}

// loadDockerfile parses a Dockerfile at the repository root: comments,
// line continuations, FROM … AS … stages.
func loadDockerfile(t *testing.T, name string) *dockerfile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	df := &dockerfile{name: name}
	var logical []string
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		logical = append(logical, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s: ends inside a line continuation", name)
	}
	for _, l := range logical {
		kw, args, _ := strings.Cut(l, " ")
		in := instruction{keyword: strings.ToUpper(kw), args: strings.TrimSpace(args)}
		if in.keyword == "FROM" {
			f := strings.Fields(in.args)
			st := &stage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			df.stages = append(df.stages, st)
			continue
		}
		if len(df.stages) == 0 {
			if in.keyword != "ARG" {
				t.Fatalf("%s: %s before the first FROM", name, in.keyword)
			}
			df.globalArgs = append(df.globalArgs, in.args)
			continue
		}
		last := df.stages[len(df.stages)-1]
		last.instructions = append(last.instructions, in)
	}
	if len(df.stages) == 0 {
		t.Fatalf("%s: no FROM", name)
	}
	return df
}

// final is the stage `docker build` builds without --target.
func (d *dockerfile) final() *stage { return d.stages[len(d.stages)-1] }

// stage returns the stage named name, or nil.
func (d *dockerfile) stage(name string) *stage {
	for _, s := range d.stages {
		if s.name == name {
			return s
		}
	}
	return nil
}

// all returns the arguments of every instruction with keyword in s.
func (s *stage) all(keyword string) []string {
	var out []string
	for _, in := range s.instructions {
		if in.keyword == keyword {
			out = append(out, in.args)
		}
	}
	return out
}

// parent is the stage s is built FROM, when that is a stage of d.
func (d *dockerfile) parent(s *stage) *stage {
	for _, p := range d.stages {
		if p != s && p.name != "" && p.name == s.base {
			return p
		}
	}
	return nil
}

// envOf is the ENV of stage s, including what it inherits from a parent stage.
func (d *dockerfile) envOf(s *stage) map[string]string {
	env := map[string]string{}
	if p := d.parent(s); p != nil {
		env = d.envOf(p)
	}
	for _, args := range s.all("ENV") {
		for k, v := range parsePairs(args) {
			env[k] = v
		}
	}
	return env
}

// execForm parses a JSON exec-form array like ["/mockidp", "serve"]; ok is
// false for the shell form.
func execForm(s string) ([]string, bool) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, false
	}
	return out, true
}

// entrypointOf is the ENTRYPOINT in force in stage s (inherited or its own).
func (d *dockerfile) entrypointOf(s *stage) []string {
	if eps := s.all("ENTRYPOINT"); len(eps) > 0 {
		ep, _ := execForm(eps[len(eps)-1])
		return ep
	}
	if p := d.parent(s); p != nil {
		return d.entrypointOf(p)
	}
	return nil
}

// parsePairs reads KEY=value pairs (LABEL, ENV), values optionally quoted.
func parsePairs(s string) map[string]string {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		out[strings.TrimSpace(key)] = val
		s = rest
	}
	return out
}

// healthcheckCmd is the exec-form command of a HEALTHCHECK … CMD [...].
func healthcheckCmd(args string) ([]string, bool) {
	_, cmd, ok := strings.Cut(args, "CMD ")
	if !ok {
		return nil, false
	}
	return execForm(strings.TrimSpace(cmd))
}
