package project

import (
	"errors"
	"strings"
	"testing"
)

const goodFlow = `project_id: P1Project0000000000000000000
flows:
  - id: my-flow
    screens:
      - id: start
        fields:
          - {name: email, type: email, required: true}
          - {name: name, type: text}
        buttons:
          - {id: go, action: send_otp, mode: sign_up, name_field: name, next: code}
      - id: code
        fields:
          - {name: code, type: code}
        buttons:
          - {id: verify, action: verify_otp}
          - {id: give-up, action: fail, error: "You gave up"}
`

// A flow of the project file is read with its defaults filled in, and sits
// beside the built-ins; one with a built-in's ID replaces it.
func TestFlowsParse(t *testing.T) {
	t.Parallel()
	p, err := Parse("p.yaml", []byte(goodFlow))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range p.Flows() {
		ids = append(ids, f.ID)
	}
	if got, want := strings.Join(ids, ","), "my-flow,sign-up-or-in,sign-in,sign-up"; got != want {
		t.Errorf("flows %s, want %s", got, want)
	}
	b := p.FlowList[0].Screens[0].Buttons[0]
	if b.LoginIDField != "email" || b.Mode != ModeSignUp {
		t.Errorf("button %+v, want login_id_field email (the default) and mode sign_up", b)
	}
	if got := p.FlowList[0].Screens[1].Buttons[0].CodeField; got != "code" {
		t.Errorf("verify_otp code_field %q, want the default code", got)
	}
	if p.FlowSettings.ComponentsVersion != DefaultComponentsVersion {
		t.Errorf("components version %q, want the default %q", p.FlowSettings.ComponentsVersion, DefaultComponentsVersion)
	}

	replaced, err := Parse("p.yaml", []byte(strings.Replace(goodFlow, "id: my-flow", "id: sign-in", 1)))
	if err != nil {
		t.Fatal(err)
	}
	flows := replaced.Flows()
	if len(flows) != 3 || flows[0].ID != "sign-in" || flows[0].Screens[0].ID != "start" {
		t.Errorf("a project flow named sign-in did not replace the built-in: %+v", flows)
	}
}

// Bad flow definitions stop start-up naming the file, line, field and reason.
func TestFlowsBadDefinitions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, from, to string
		line           int
		field, reason  string
	}{
		{"underscore in ID", "id: my-flow", "id: my_flow", 3, "flows[0].id", "letters, digits and -"},
		{"unknown action", "action: verify_otp}", "action: verify}", 15, "flows[0].screens[1].buttons[0].action", `"verify" is not one of`},
		{"next not a screen", "next: code}", "next: cod}", 10, "flows[0].screens[0].buttons[0].next", `"cod" is not a screen of the flow`},
		{"send without next", ", next: code}", "}", 10, "flows[0].screens[0].buttons[0].next", "is required for send_otp"},
		{"login ID field missing", "{name: email, type: email, required: true}", "{name: mail, type: email, required: true}", 10, "flows[0].screens[0].buttons[0].login_id_field", `no field "email"`},
		{"login ID not an email", "{name: email, type: email, required: true}", "{name: email, type: text, required: true}", 10, "flows[0].screens[0].buttons[0].login_id_field", "by email only"},
		{"unknown field type", "{name: code, type: code}", "{name: code, type: otp}", 13, "flows[0].screens[1].fields[0].type", `"otp" is not one of`},
		{"duplicate screen", "      - id: code\n", "      - id: start\n", 11, "flows[0].screens[1].id", "duplicate screen ID"},
		{"reserved button ID", "{id: verify, action", "{id: submit, action", 15, "flows[0].screens[1].buttons[0].id", "the web component sends itself"},
		{"fail without error", `, error: "You gave up"}`, "}", 16, "flows[0].screens[1].buttons[1].error", "is required for fail"},
		{"code field missing", "{name: code, type: code}", "{name: otp, type: code}", 15, "flows[0].screens[1].buttons[0].code_field", `no field "code"`},
		{"name field on sign in", "mode: sign_up,", "mode: sign_in,", 10, "flows[0].screens[0].buttons[0].name_field", "a sign_in creates no user"},
		{"bad mode", "mode: sign_up,", "mode: signup,", 10, "flows[0].screens[0].buttons[0].mode", `"signup" is not one of`},
		{"mode on verify", "{id: verify, action: verify_otp}", "{id: verify, action: verify_otp, mode: sign_in}", 15, "flows[0].screens[1].buttons[0].mode", "applies only to send_otp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(goodFlow, tc.from) {
				t.Fatalf("the test flow has no %q", tc.from)
			}
			_, err := Parse("p.yaml", []byte(strings.Replace(goodFlow, tc.from, tc.to, 1)))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Parse: %v, want a ConfigError", err)
			}
			if ce.File != "p.yaml" {
				t.Errorf("file %q, want p.yaml", ce.File)
			}
			if ce.Line != tc.line || ce.Field != tc.field || !strings.Contains(ce.Reason, tc.reason) {
				t.Errorf("got %s (line %d, field %s), want line %d, field %s, reason containing %q", ce, ce.Line, ce.Field, tc.line, tc.field, tc.reason)
			}
		})
	}
}

// A flow with no screens is refused by name.
func TestFlowWithoutScreens(t *testing.T) {
	t.Parallel()
	_, err := Parse("p.yaml", []byte("project_id: P1Project0000000000000000000\nflows:\n  - id: empty\n"))
	if err == nil || !strings.Contains(err.Error(), "p.yaml:3: flows[0].screens: a flow needs at least one screen") {
		t.Errorf("Parse: %v, want p.yaml:3: flows[0].screens: a flow needs at least one screen", err)
	}
}

// The built-in flows are valid, and their screen HTML file names are unique
// once prefixed with the flow ID.
func TestBuiltinFlowsValid(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range BuiltinFlows() {
		for _, sc := range f.Screens {
			name := f.ID + "." + sc.ID
			if seen[name] {
				t.Errorf("screen %s twice", name)
			}
			seen[name] = true
		}
	}
	if len(seen) != 6 {
		t.Errorf("%d built-in screens, want 6", len(seen))
	}
}

// The user actions name their fields, and end has no next screen.
func TestFlowUserActionDefinitions(t *testing.T) {
	t.Parallel()
	const flow = `flows:
  - id: f
    screens:
      - id: s
        fields: [{name: password, type: password}, {name: tenant, type: text}]
        buttons: [%s]
`
	for _, tc := range []struct{ button, field, reason string }{
		{"{id: a, action: set_password, password_field: tenant}", "flows[0].screens[0].buttons[0].password_field", `no password field "tenant"`},
		{"{id: a, action: select_tenant, tenant_field: org}", "flows[0].screens[0].buttons[0].tenant_field", `no field "org"`},
		{"{id: a, action: end, next: s}", "flows[0].screens[0].buttons[0].next", "end ends the flow"},
		{"{id: a, action: end, password_field: password}", "flows[0].screens[0].buttons[0].password_field", "applies only to set_password"},
	} {
		_, err := Parse("p.yaml", []byte(strings.Replace(flow, "%s", tc.button, 1)))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Line != 6 || ce.Field != tc.field || !strings.Contains(ce.Reason, tc.reason) {
			t.Errorf("%s: got %v, want line 6, %s: %s", tc.button, err, tc.field, tc.reason)
		}
	}
	if _, err := Parse("p.yaml", []byte(strings.Replace(flow, "%s", "{id: a, action: set_password}, {id: b, action: select_tenant, next: s}", 1))); err != nil {
		t.Errorf("the default fields: %v", err)
	}
}
