package project

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Flow is a Descope flow as the mock runs it for the <descope-wc> web
// component (and React's <Descope>): a list of screens, the first shown
// first, whose buttons each do one action and lead to another screen or end
// the flow with a session. The mock serves each screen as HTML made of
// Descope's UI component tags (descope-email-field, descope-passcode,
// descope-button, ...), the way the console publishes a flow.
//
// Three flows are built in (BuiltinFlows): sign-up-or-in (email, then the
// OTP code), sign-in (a magic link) and sign-up (name and email, then the
// OTP code). A flow of the project file with a built-in's ID replaces it.
type Flow struct {
	// ID (required) - the flow-id of the web component: letters, digits and
	// "-" (the component splits its run IDs on "_" and "|").
	ID string `yaml:"id" json:"id"`
	// Screens (required) - the first is where the flow starts.
	Screens []Screen `yaml:"screens" json:"screens"`
}

// Screen is one page of a flow.
type Screen struct {
	// ID (required) - unique in the flow: letters, digits and "-". The
	// component fetches the screen as {flow ID}.{screen ID}.html.
	ID string `yaml:"id" json:"id"`
	// Name (optional, default the ID) - the step name the component logs
	// and its screen-updated event carries.
	Name string `yaml:"name" json:"name,omitempty"`
	// Title (optional) - a heading.
	Title string `yaml:"title" json:"title,omitempty"`
	// Text (optional) - a paragraph; {{form.email}} and {{form.name}} show
	// what the flow was given.
	Text string `yaml:"text" json:"text,omitempty"`
	// Fields (optional) - the inputs, sent as the form's values.
	Fields []Field `yaml:"fields" json:"fields,omitempty"`
	// Buttons (optional) - each does one action. A screen without buttons
	// ends where it is (a magic link's "check your email").
	Buttons []Button `yaml:"buttons" json:"buttons,omitempty"`
}

// Field is an input of a screen.
type Field struct {
	// Name (required) - the key of its value in the form: letters, digits, "_".
	Name string `yaml:"name" json:"name"`
	// Type (required) - email, text, code (six digits), password or phone.
	Type string `yaml:"type" json:"type"`
	// Label (optional, default the name) - shown above the input.
	Label string `yaml:"label" json:"label,omitempty"`
	// Required (optional) - the component refuses to submit it empty.
	Required bool `yaml:"required" json:"required,omitempty"`
}

// Button is a button of a screen and what clicking it does.
type Button struct {
	// ID (required) - the interaction ID the component sends: letters,
	// digits, "-" and "_"; unique in the screen.
	ID string `yaml:"id" json:"id"`
	// Label (optional, default the ID) - the button's text.
	Label string `yaml:"label" json:"label,omitempty"`
	// Action (required) - one of the Action* names:
	//   send_otp         send a code to the login ID (the outbox), then Next
	//   send_magic_link  send a link to the login ID (the outbox), then Next;
	//                    opening the link finishes the flow with a session
	//   verify_otp       check the code sent: the user is signed in (a new
	//                    one created); the flow ends with the session, or
	//                    goes on to Next
	//   set_password     set the signed-in user's password, then as verify_otp
	//   select_tenant    make a tenant of the signed-in user the session's
	//                    (dct), then as verify_otp
	//   end              end the flow with the signed-in user's session
	//   next             go to Next
	//   fail             end the flow with Error
	Action string `yaml:"action" json:"action"`
	// Next (required for send_otp, send_magic_link and next; optional for
	// verify_otp, set_password and select_tenant) - the screen shown after
	// the action succeeds.
	Next string `yaml:"next" json:"next,omitempty"`
	// Mode (optional, default sign_up_or_in) - for send_otp and
	// send_magic_link: sign_in refuses an unknown login ID, sign_up an
	// existing one, as Descope's sign-in and sign-up do.
	Mode string `yaml:"mode" json:"mode,omitempty"`
	// LoginIDField (optional, default "email") - for send_*: the field
	// holding the login ID, on the same screen.
	LoginIDField string `yaml:"login_id_field" json:"login_id_field,omitempty"`
	// NameField (optional) - for send_* with sign_up or sign_up_or_in: the
	// field holding a new user's name, on the same screen.
	NameField string `yaml:"name_field" json:"name_field,omitempty"`
	// CodeField (optional, default "code") - for verify_otp: the field
	// holding the code, on the same screen.
	CodeField string `yaml:"code_field" json:"code_field,omitempty"`
	// PasswordField (optional, default "password") - for set_password: the
	// password field holding it, on the same screen.
	PasswordField string `yaml:"password_field" json:"password_field,omitempty"`
	// TenantField (optional, default "tenant") - for select_tenant: the
	// field holding the tenant ID, on the same screen.
	TenantField string `yaml:"tenant_field" json:"tenant_field,omitempty"`
	// Error (required for fail) - the message the flow fails with.
	Error string `yaml:"error" json:"error,omitempty"`
}

// FlowSettings are the project's settings for flows (project file
// "flow_settings:").
type FlowSettings struct {
	// ComponentsVersion (optional, default DefaultComponentsVersion) - the
	// @descope/web-components-ui version config.json names: the component
	// loads {base-cdn-url}/npm/@descope/web-components-ui@{version}/dist/umd/index.js
	// unless the page already has the bundle.
	ComponentsVersion string `yaml:"components_version" json:"components_version,omitempty"`
	// ExecutionTTL (optional, default 1h) - how long a flow execution lives
	// without finishing, on the mock's clock.
	ExecutionTTL Duration `yaml:"execution_ttl" json:"execution_ttl,omitempty"`
}

// Flow actions.
const (
	ActionSendOTP       = "send_otp"
	ActionSendMagicLink = "send_magic_link"
	ActionVerifyOTP     = "verify_otp"
	ActionSetPassword   = "set_password"
	ActionSelectTenant  = "select_tenant"
	ActionEnd           = "end"
	ActionNext          = "next"
	ActionFail          = "fail"
)

// Sign modes of send_otp and send_magic_link.
const (
	ModeSignUpOrIn = "sign_up_or_in"
	ModeSignIn     = "sign_in"
	ModeSignUp     = "sign_up"
)

// Field types.
const (
	FieldEmail    = "email"
	FieldText     = "text"
	FieldCode     = "code"
	FieldPassword = "password"
	FieldPhone    = "phone"
)

// Defaults and bounds of flows.
const (
	// DefaultComponentsVersion is the @descope/web-components-ui version
	// the mock's screens were checked with (make test-web).
	DefaultComponentsVersion = "3.14.1"
	DefaultFlowExecutionTTL  = time.Hour
	// MaxFlows, MaxFlowScreens, MaxScreenFields and MaxScreenButtons bound
	// a project's flows; MaxFlowTextLen a title, text, label or error.
	MaxFlows         = 100
	MaxFlowScreens   = 20
	MaxScreenFields  = 20
	MaxScreenButtons = 10
	MaxFlowTextLen   = 1024
)

var (
	flowActions = []string{ActionSendOTP, ActionSendMagicLink, ActionVerifyOTP, ActionSetPassword, ActionSelectTenant, ActionEnd, ActionNext, ActionFail}
	flowModes   = []string{ModeSignUpOrIn, ModeSignIn, ModeSignUp}
	fieldTypes  = []string{FieldEmail, FieldText, FieldCode, FieldPassword, FieldPhone}
	// reservedInteractions are sent by the component itself (a link's or
	// redirect's return, polling): no button may have them as its ID.
	reservedInteractions = []string{"submit", "polling"}
)

// Flows returns the project's flows and the built-ins it does not replace,
// the project's first.
func (p *Project) Flows() []Flow {
	out := slices.Clone(p.FlowList)
	for _, b := range BuiltinFlows() {
		if !slices.ContainsFunc(p.FlowList, func(f Flow) bool { return f.ID == b.ID }) {
			out = append(out, b)
		}
	}
	return out
}

// cloneFlows copies flows down to their buttons (Validate fills in
// defaults there).
func cloneFlows(flows []Flow) []Flow {
	if flows == nil {
		return nil
	}
	out := make([]Flow, len(flows))
	for i, f := range flows {
		out[i] = Flow{ID: f.ID, Screens: make([]Screen, len(f.Screens))}
		for j, sc := range f.Screens {
			sc.Fields = slices.Clone(sc.Fields)
			sc.Buttons = slices.Clone(sc.Buttons)
			out[i].Screens[j] = sc
		}
	}
	return out
}

// validateFlows checks the flows and the flow settings and fills in defaults.
func (p *Project) validateFlows() error {
	fs := &p.FlowSettings
	if fs.ComponentsVersion == "" {
		fs.ComponentsVersion = DefaultComponentsVersion
	}
	if !asciiWord(fs.ComponentsVersion, 64, ".-+") {
		return &ConfigError{Field: "flow_settings.components_version", Reason: fmt.Sprintf("%q is not a version: want letters, digits and .-+ (like %s)", truncate(fs.ComponentsVersion, 64), DefaultComponentsVersion)}
	}
	if fs.ExecutionTTL == 0 {
		fs.ExecutionTTL = Duration(DefaultFlowExecutionTTL)
	}
	if time.Duration(fs.ExecutionTTL) < time.Second {
		return &ConfigError{Field: "flow_settings.execution_ttl", Reason: "must be at least 1s"}
	}
	if len(p.FlowList) > MaxFlows {
		return &ConfigError{Field: "flows", Reason: fmt.Sprintf("%d flows, over the limit of %d (MaxFlows)", len(p.FlowList), MaxFlows)}
	}
	seen := map[string]bool{}
	for i := range p.FlowList {
		field := fmt.Sprintf("flows[%d]", i)
		if err := p.FlowList[i].Validate(field); err != nil {
			return err
		}
		if seen[p.FlowList[i].ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate flow ID %q", p.FlowList[i].ID)}
		}
		seen[p.FlowList[i].ID] = true
	}
	return nil
}

// Validate checks a flow; field prefixes the Field of the ConfigError it
// returns ("flows[2]").
func (f *Flow) Validate(field string) error {
	if !asciiWord(f.ID, 64, "-") {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 64 letters, digits and - (the web component splits run IDs on _ and |)", truncate(f.ID, 64))}
	}
	if len(f.Screens) == 0 {
		return &ConfigError{Field: field + ".screens", Reason: "a flow needs at least one screen"}
	}
	if len(f.Screens) > MaxFlowScreens {
		return &ConfigError{Field: field + ".screens", Reason: fmt.Sprintf("%d screens, over the limit of %d (MaxFlowScreens)", len(f.Screens), MaxFlowScreens)}
	}
	screens := map[string]bool{}
	for i := range f.Screens {
		sc := &f.Screens[i]
		sf := fmt.Sprintf("%s.screens[%d]", field, i)
		if !asciiWord(sc.ID, 64, "-") {
			return &ConfigError{Field: sf + ".id", Reason: fmt.Sprintf("%q must be 1 to 64 letters, digits and -", truncate(sc.ID, 64))}
		}
		if screens[sc.ID] {
			return &ConfigError{Field: sf + ".id", Reason: fmt.Sprintf("duplicate screen ID %q in the flow", sc.ID)}
		}
		screens[sc.ID] = true
	}
	for i := range f.Screens {
		if err := f.Screens[i].validate(fmt.Sprintf("%s.screens[%d]", field, i), screens); err != nil {
			return err
		}
	}
	return nil
}

func (sc *Screen) validate(field string, screens map[string]bool) error {
	for _, t := range []struct{ name, v string }{{"name", sc.Name}, {"title", sc.Title}, {"text", sc.Text}} {
		if err := checkFlowText(field+"."+t.name, t.v); err != nil {
			return err
		}
	}
	if len(sc.Fields) > MaxScreenFields {
		return &ConfigError{Field: field + ".fields", Reason: fmt.Sprintf("%d fields, over the limit of %d (MaxScreenFields)", len(sc.Fields), MaxScreenFields)}
	}
	if len(sc.Buttons) > MaxScreenButtons {
		return &ConfigError{Field: field + ".buttons", Reason: fmt.Sprintf("%d buttons, over the limit of %d (MaxScreenButtons)", len(sc.Buttons), MaxScreenButtons)}
	}
	fields := map[string]string{} // name to type
	for i, fd := range sc.Fields {
		ff := fmt.Sprintf("%s.fields[%d]", field, i)
		if !asciiWord(fd.Name, 64, "_") {
			return &ConfigError{Field: ff + ".name", Reason: fmt.Sprintf("%q must be 1 to 64 letters, digits and _", truncate(fd.Name, 64))}
		}
		if fd.Name == "origin" || fd.Name == "token" {
			return &ConfigError{Field: ff + ".name", Reason: fmt.Sprintf("%q is a form value the web component sends itself", fd.Name)}
		}
		if _, dup := fields[fd.Name]; dup {
			return &ConfigError{Field: ff + ".name", Reason: fmt.Sprintf("duplicate field name %q in the screen", fd.Name)}
		}
		if !slices.Contains(fieldTypes, fd.Type) {
			return &ConfigError{Field: ff + ".type", Reason: fmt.Sprintf("%q is not one of %s", truncate(fd.Type, 64), strings.Join(fieldTypes, ", "))}
		}
		if err := checkFlowText(ff+".label", fd.Label); err != nil {
			return err
		}
		fields[fd.Name] = fd.Type
	}
	buttons := map[string]bool{}
	for i := range sc.Buttons {
		b := &sc.Buttons[i]
		bf := fmt.Sprintf("%s.buttons[%d]", field, i)
		if !asciiWord(b.ID, 64, "-_") {
			return &ConfigError{Field: bf + ".id", Reason: fmt.Sprintf("%q must be 1 to 64 letters, digits, - and _", truncate(b.ID, 64))}
		}
		if slices.Contains(reservedInteractions, b.ID) {
			return &ConfigError{Field: bf + ".id", Reason: fmt.Sprintf("%q is an interaction the web component sends itself", b.ID)}
		}
		if buttons[b.ID] {
			return &ConfigError{Field: bf + ".id", Reason: fmt.Sprintf("duplicate button ID %q in the screen", b.ID)}
		}
		buttons[b.ID] = true
		if err := b.validate(bf, fields, screens); err != nil {
			return err
		}
	}
	return nil
}

func (b *Button) validate(field string, fields map[string]string, screens map[string]bool) error {
	for _, t := range []struct{ name, v string }{{"label", b.Label}, {"error", b.Error}} {
		if err := checkFlowText(field+"."+t.name, t.v); err != nil {
			return err
		}
	}
	if !slices.Contains(flowActions, b.Action) {
		if b.Action == "" {
			return &ConfigError{Field: field + ".action", Reason: "is required: one of " + strings.Join(flowActions, ", ")}
		}
		return &ConfigError{Field: field + ".action", Reason: fmt.Sprintf("%q is not one of %s", truncate(b.Action, 64), strings.Join(flowActions, ", "))}
	}
	needsNext := b.Action == ActionSendOTP || b.Action == ActionSendMagicLink || b.Action == ActionNext
	switch {
	case b.Next == "" && needsNext:
		return &ConfigError{Field: field + ".next", Reason: fmt.Sprintf("is required for %s: the screen shown after it", b.Action)}
	case b.Next != "" && (b.Action == ActionFail || b.Action == ActionEnd):
		return &ConfigError{Field: field + ".next", Reason: b.Action + " ends the flow: it has no next screen"}
	case b.Next != "" && !screens[b.Next]:
		return &ConfigError{Field: field + ".next", Reason: fmt.Sprintf("%q is not a screen of the flow", truncate(b.Next, 64))}
	}
	if b.Action == ActionFail && b.Error == "" {
		return &ConfigError{Field: field + ".error", Reason: "is required for fail: the message the flow fails with"}
	}
	sends := b.Action == ActionSendOTP || b.Action == ActionSendMagicLink
	if !sends {
		for _, o := range []struct{ name, v string }{{"mode", b.Mode}, {"login_id_field", b.LoginIDField}, {"name_field", b.NameField}} {
			if o.v != "" {
				return &ConfigError{Field: field + "." + o.name, Reason: "applies only to send_otp and send_magic_link"}
			}
		}
	}
	for _, o := range []struct{ name, v, action string }{{"code_field", b.CodeField, ActionVerifyOTP},
		{"password_field", b.PasswordField, ActionSetPassword}, {"tenant_field", b.TenantField, ActionSelectTenant}} {
		if o.v != "" && b.Action != o.action {
			return &ConfigError{Field: field + "." + o.name, Reason: "applies only to " + o.action}
		}
	}
	if b.Error != "" && b.Action != ActionFail {
		return &ConfigError{Field: field + ".error", Reason: "applies only to fail"}
	}
	if sends {
		if b.Mode == "" {
			b.Mode = ModeSignUpOrIn
		}
		if !slices.Contains(flowModes, b.Mode) {
			return &ConfigError{Field: field + ".mode", Reason: fmt.Sprintf("%q is not one of %s", truncate(b.Mode, 64), strings.Join(flowModes, ", "))}
		}
		if b.LoginIDField == "" {
			b.LoginIDField = FieldEmail
		}
		if _, ok := fields[b.LoginIDField]; !ok {
			return &ConfigError{Field: field + ".login_id_field", Reason: fmt.Sprintf("the screen has no field %q to take the login ID from", truncate(b.LoginIDField, 64))}
		}
		if fields[b.LoginIDField] != FieldEmail {
			return &ConfigError{Field: field + ".login_id_field", Reason: fmt.Sprintf("field %q is of type %s: the mock's flows send codes and links by email only, from an email field", b.LoginIDField, fields[b.LoginIDField])}
		}
		if b.NameField != "" {
			if b.Mode == ModeSignIn {
				return &ConfigError{Field: field + ".name_field", Reason: "a sign_in creates no user to name"}
			}
			if _, ok := fields[b.NameField]; !ok {
				return &ConfigError{Field: field + ".name_field", Reason: fmt.Sprintf("the screen has no field %q to take the name from", truncate(b.NameField, 64))}
			}
		}
	}
	switch b.Action {
	case ActionVerifyOTP:
		if b.CodeField == "" {
			b.CodeField = FieldCode
		}
		if _, ok := fields[b.CodeField]; !ok {
			return &ConfigError{Field: field + ".code_field", Reason: fmt.Sprintf("the screen has no field %q to take the code from", truncate(b.CodeField, 64))}
		}
	case ActionSetPassword:
		if b.PasswordField == "" {
			b.PasswordField = FieldPassword
		}
		if fields[b.PasswordField] != FieldPassword {
			return &ConfigError{Field: field + ".password_field", Reason: fmt.Sprintf("the screen has no password field %q to take the password from", truncate(b.PasswordField, 64))}
		}
	case ActionSelectTenant:
		if b.TenantField == "" {
			b.TenantField = "tenant"
		}
		if _, ok := fields[b.TenantField]; !ok {
			return &ConfigError{Field: field + ".tenant_field", Reason: fmt.Sprintf("the screen has no field %q to take the tenant ID from", truncate(b.TenantField, 64))}
		}
	}
	return nil
}

// checkFlowText bounds a title, text, label or error.
func checkFlowText(field, v string) error {
	if len(v) > MaxFlowTextLen {
		return &ConfigError{Field: field, Reason: fmt.Sprintf("%d bytes, over the limit of %d (MaxFlowTextLen)", len(v), MaxFlowTextLen)}
	}
	return nil
}

// BuiltinFlows returns the flows every project has unless it declares a
// flow of the same ID, validated.
func BuiltinFlows() []Flow {
	flows := []Flow{
		{ID: "sign-up-or-in", Screens: []Screen{
			{ID: "email", Name: "Welcome", Title: "Sign up or sign in",
				Fields:  []Field{{Name: "email", Type: FieldEmail, Label: "Email", Required: true}},
				Buttons: []Button{{ID: "continue", Label: "Continue", Action: ActionSendOTP, Next: "code"}}},
			{ID: "code", Name: "Enter code", Title: "Enter your code", Text: "A code was sent to {{form.email}}",
				Fields:  []Field{{Name: "code", Type: FieldCode, Label: "Code", Required: true}},
				Buttons: []Button{{ID: "verify", Label: "Verify", Action: ActionVerifyOTP}}},
		}},
		{ID: "sign-in", Screens: []Screen{
			{ID: "email", Name: "Sign in", Title: "Sign in",
				Fields:  []Field{{Name: "email", Type: FieldEmail, Label: "Email", Required: true}},
				Buttons: []Button{{ID: "send-link", Label: "Email me a sign-in link", Action: ActionSendMagicLink, Mode: ModeSignIn, Next: "sent"}}},
			{ID: "sent", Name: "Link sent", Title: "Check your email", Text: "A sign-in link was sent to {{form.email}}"},
		}},
		{ID: "sign-up", Screens: []Screen{
			{ID: "details", Name: "Sign up", Title: "Sign up",
				Fields: []Field{{Name: "name", Type: FieldText, Label: "Name", Required: true},
					{Name: "email", Type: FieldEmail, Label: "Email", Required: true}},
				Buttons: []Button{{ID: "sign-up", Label: "Sign up", Action: ActionSendOTP, Mode: ModeSignUp, NameField: "name", Next: "code"}}},
			{ID: "code", Name: "Enter code", Title: "Confirm your email", Text: "A code was sent to {{form.email}}",
				Fields:  []Field{{Name: "code", Type: FieldCode, Label: "Code", Required: true}},
				Buttons: []Button{{ID: "verify", Label: "Verify", Action: ActionVerifyOTP}}},
		}},
	}
	for i := range flows {
		if err := flows[i].Validate(fmt.Sprintf("builtin flow %s", flows[i].ID)); err != nil {
			panic("project: built-in flow is invalid: " + err.Error())
		}
	}
	return flows
}
