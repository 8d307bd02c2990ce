package mockidp

import (
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/wire"
)

// The static files of flows, GET {baseUrl}/pages/{projectId}/v2-beta/{file}:
// what <descope-wc> fetches from its base-url before Descope's CDN
// (sdk-mixins staticResourcesMixin: base-static-url, else {base-url}/pages,
// then static.descope.com). config.json names the UI components version and
// each flow with its start screen; theme.json is an empty theme (the
// components' own defaults); {flow}.{screen}.html is a screen built from
// Descope's UI component tags, which the UI bundle
// (@descope/web-components-ui, loaded by the page, never served by the
// mock) renders. All are built once, when the server is made.

// flowPage is one static file: its body, Content-Type and Content-Length.
type flowPage struct {
	body          []byte
	contentType   []string
	contentLength []string
}

var (
	// themeJSON is theme.json: no global style and no component overrides
	// (web-component e2e/descope-wc.spec.ts serves the same).
	themeJSON = []byte(`{"light":{"globals":"","components":{}},"dark":{"globals":"","components":{}}}`)
)

// flowScreenFile is the name (without .html) of a screen's HTML file and
// the screen ID the flow API answers: flow IDs and screen IDs hold no ".",
// so it is unique in the project.
func flowScreenFile(flowID, screenID string) string { return flowID + "." + screenID }

// buildFlowPages indexes the project's flows and renders their static files.
func buildFlowPages(p *Project) (map[string]*project.Flow, map[string]flowPage) {
	flows := p.Flows()
	defs := make(map[string]*project.Flow, len(flows))
	pages := map[string]flowPage{}
	cfg := wire.FlowConfig{ComponentsVersion: p.FlowSettings.ComponentsVersion, Flows: map[string]wire.FlowConfigFlow{}}
	for i := range flows {
		f := &flows[i]
		defs[f.ID] = f
		start := &f.Screens[0]
		name := start.Name
		if name == "" {
			name = start.ID
		}
		cfg.Flows[f.ID] = wire.FlowConfigFlow{Version: 1, StartScreenID: flowScreenFile(f.ID, start.ID), StartScreenName: name}
		for j := range f.Screens {
			pages[flowScreenFile(f.ID, f.Screens[j].ID)+".html"] = newFlowPage(contentTypeHTML, []byte(renderScreen(&f.Screens[j])))
		}
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		panic("mockidp: config.json: " + err.Error()) // strings and ints only
	}
	pages["config.json"] = newFlowPage(contentTypeJSON, config)
	pages["theme.json"] = newFlowPage(contentTypeJSON, themeJSON)
	return defs, pages
}

func newFlowPage(contentType []string, body []byte) flowPage {
	return flowPage{body: body, contentType: contentType, contentLength: []string{strconv.Itoa(len(body))}}
}

// serve serves the file.
func (page flowPage) serve(w http.ResponseWriter, _ *http.Request) (int, error) {
	h := w.Header()
	h["Content-Type"] = page.contentType
	h["Content-Length"] = page.contentLength
	h["Cache-Control"] = noStore
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(page.body)
	return http.StatusOK, nil
}

// handleNoFlowPage answers a name that is not a flow file.
func handleNoFlowPage(_ http.ResponseWriter, r *http.Request) (int, error) {
	return 0, notFound("no flow file %q: config.json, theme.json and {flowId}.{screenId}.html are served", truncate(r.PathValue("file"), 128))
}

// renderScreen writes a screen as the console publishes one: a column
// container of Descope UI components (descope-text, descope-email-field,
// descope-passcode, descope-button, ...), named fields feeding the form,
// buttons sending their ID as the interaction, and an error-message text
// the component fills from the screen's errorText.
func renderScreen(sc *project.Screen) string {
	var b strings.Builder
	b.WriteString(`<descope-container data-editor-type="container" direction="column" id="ROOT" space-between="md" st-horizontal-padding="1rem" st-vertical-padding="1rem" st-align-items="safe center" st-justify-content="safe center" st-host-width="100%" st-gap="1rem">`)
	if sc.Title != "" {
		b.WriteString(`<descope-text id="title" variant="h2" mode="primary" text-align="center" full-width="true">`)
		b.WriteString(html.EscapeString(sc.Title))
		b.WriteString(`</descope-text>`)
	}
	if sc.Text != "" {
		b.WriteString(`<descope-text id="text" variant="body1" mode="primary" text-align="center" full-width="true">`)
		b.WriteString(html.EscapeString(sc.Text))
		b.WriteString(`</descope-text>`)
	}
	for _, f := range sc.Fields {
		tag, extra := "descope-text-field", ""
		switch f.Type {
		case project.FieldEmail:
			tag, extra = "descope-email-field", ` autocomplete="email"`
		case project.FieldCode:
			tag, extra = "descope-passcode", ` digits="6"`
		case project.FieldPassword:
			tag, extra = "descope-password", ` autocomplete="current-password"`
		case project.FieldPhone:
			tag, extra = "descope-phone-field", ` autocomplete="tel"`
		}
		label := f.Label
		if label == "" {
			label = f.Name
		}
		b.WriteString(`<` + tag + ` id="input-` + f.Name + `" name="` + f.Name + `" label="` + html.EscapeString(label) + `"`)
		if f.Required {
			b.WriteString(` required="true"`)
		}
		b.WriteString(extra + ` size="md" bordered="true" full-width="true"></` + tag + `>`)
	}
	for i, bt := range sc.Buttons {
		label := bt.Label
		if label == "" {
			label = bt.ID
		}
		variant := "contained"
		if i > 0 {
			variant = "outline"
		}
		b.WriteString(`<descope-button id="` + bt.ID + `" data-type="button" variant="` + variant + `" mode="primary" size="md" full-width="true"`)
		if bt.Action == project.ActionFail || bt.Action == project.ActionNext {
			b.WriteString(` formnovalidate="true"`)
		}
		b.WriteString(`>` + html.EscapeString(label) + `</descope-button>`)
	}
	b.WriteString(`<descope-text id="error" data-type="error-message" variant="body2" mode="error" text-align="center" full-width="true"></descope-text>`)
	b.WriteString(`</descope-container>`)
	return b.String()
}
