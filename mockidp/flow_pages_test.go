package mockidp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
	"github.com/descope-harness/harness/mockidp/wire"
)

// The static files the component fetches from {baseUrl}/pages/{pid}/v2-beta/:
// config.json names the components version and every flow with its start
// screen, theme.json is a theme, each screen is HTML of Descope UI tags;
// a browser on an allowed origin may read them; other names and other
// projects are JSON 404s.
func TestFlowPages(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	base := "/pages/" + mockidp.DefaultProjectID + "/v2-beta/"
	r := descope(t, m, "GET", base+"config.json", "", "", "Origin", "http://localhost:3000")
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Fatalf("config.json: %d, CORS %q", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	var cfg wire.FlowConfig
	if err := json.Unmarshal(r.body, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ComponentsVersion != "3.14.1" || cfg.Flows["sign-up-or-in"].StartScreenID != "sign-up-or-in.email" || cfg.Flows["sign-in"].Version != 1 || len(cfg.Flows) != 3 {
		t.Errorf("config.json %s", r.body)
	}
	if r := descope(t, m, "GET", base+"theme.json", "", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"light"`) {
		t.Errorf("theme.json: %d %s", r.status, r.body)
	}
	screen := descope(t, m, "GET", base+"sign-up-or-in.code.html", "", "")
	if screen.status != http.StatusOK || screen.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("screen: %d %s", screen.status, screen.header.Get("Content-Type"))
	}
	for _, want := range []string{`<descope-passcode id="input-code" name="code"`, `<descope-button id="verify" data-type="button"`, `data-type="error-message"`, `A code was sent to {{form.email}}`} {
		if !strings.Contains(string(screen.body), want) {
			t.Errorf("screen lacks %s:\n%s", want, screen.body)
		}
	}
	for _, path := range []string{base + "nope.html", base + "sign-up-or-in.html", "/pages/P2OtherProject0000000000000/v2-beta/config.json"} {
		descope(t, m, "GET", path, "", "").refused(t, http.StatusNotFound, mockidp.CodeNotFound)
	}
}

// Text from the project file is escaped in a screen: a title cannot add
// markup to the page.
func TestFlowScreenEscapes(t *testing.T) {
	t.Parallel()
	p, err := mockidp.ParseProject("p.yaml", []byte(`flows:
  - id: x
    screens:
      - id: s
        title: "<img src=x onerror=alert(1)>"
        fields: [{name: email, type: email, label: "a\" onfocus=\"b"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	body := string(descope(t, m, "GET", "/pages/"+mockidp.DefaultProjectID+"/v2-beta/x.s.html", "", "").body)
	if strings.Contains(body, "<img") || strings.Contains(body, `" onfocus`) || !strings.Contains(body, "&lt;img") {
		t.Errorf("screen not escaped:\n%s", body)
	}
}

// A fault on flow_pages fails the static files, counted like any endpoint.
func TestFlowPagesFault(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	if err := m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointFlowPages, Status: 500, Count: 1}); err != nil {
		t.Fatal(err)
	}
	path := "/pages/" + mockidp.DefaultProjectID + "/v2-beta/config.json"
	descope(t, m, "GET", path, "", "").refused(t, http.StatusInternalServerError, mockidp.CodeServerError)
	if r := descope(t, m, "GET", path, "", ""); r.status != http.StatusOK {
		t.Fatalf("after the fault: %d", r.status)
	}
	if n := m.RequestCount(mockidp.EndpointFlowPages); n != 2 {
		t.Errorf("flow_pages counted %d requests, want 2", n)
	}
}
