package mockidp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// flowCall posts a flow API body and returns the answer.
func flowCall(t *testing.T, m *mockidptest.Mock, path string, body map[string]any) answer {
	t.Helper()
	return descope(t, m, "POST", path, "", jsonBody(t, body))
}

// flowNext sends POST /v1/flow/next for an answer's execution and step.
func flowNext(t *testing.T, m *mockidptest.Mock, prev map[string]any, interaction string, input map[string]any) answer {
	t.Helper()
	return flowCall(t, m, "/v1/flow/next", map[string]any{"executionId": prev["executionId"], "stepId": prev["stepId"], "interactionId": interaction, "input": input})
}

// screenOf checks that a flow answer shows screen id and returns its state.
func screenOf(t *testing.T, a map[string]any, id string) map[string]any {
	t.Helper()
	sc, _ := a["screen"].(map[string]any)
	if a["status"] != "waiting" || a["action"] != "screen" || sc == nil || sc["id"] != id {
		t.Fatalf("answer %v, want screen %s waiting", a, id)
	}
	state, _ := sc["state"].(map[string]any)
	return state
}

// The built-in sign-up-or-in flow as the component drives it: start shows
// the email screen, the email sends a code to the outbox, a wrong code
// shows the screen's error at the same step, the right one completes the
// flow with a session for the new user; the execution is then gone.
func TestFlowSignUpOrIn(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in", "options": map[string]any{"location": "http://localhost:3000/login"}}).ok(t)
	screenOf(t, start, "sign-up-or-in.email")
	if start["stepId"] != "1" || !strings.HasPrefix(start["executionId"].(string), "sign-up-or-in|#|") {
		t.Fatalf("start answered %v", start)
	}
	email := "flow.person@example.com"
	code := flowNext(t, m, start, "continue", map[string]any{"email": email, "origin": "http://localhost:3000"}).ok(t)
	state := screenOf(t, code, "sign-up-or-in.code")
	if form, _ := state["form"].(map[string]any); form["email"] != email || code["stepId"] != "2" || code["executionId"] != start["executionId"] {
		t.Fatalf("code screen %v", code)
	}
	msgs := m.Outbox(email)
	if len(msgs) != 1 || msgs[0].Kind != mockidp.OutboxOTP || len(msgs[0].Code) != 6 {
		t.Fatalf("outbox %+v", msgs)
	}
	wrong := "000000"
	if msgs[0].Code == wrong {
		wrong = "111111"
	}
	retry := flowNext(t, m, code, "verify", map[string]any{"code": wrong}).ok(t)
	if state := screenOf(t, retry, "sign-up-or-in.code"); state["errorText"] == "" || state["errorType"] != "error" || retry["stepId"] != "2" {
		t.Fatalf("a wrong code answered %v, want the code screen with errorText at step 2", retry)
	}
	done := flowNext(t, m, code, "verify", map[string]any{"code": msgs[0].Code}).ok(t)
	auth, _ := done["authInfo"].(map[string]any)
	if done["status"] != "completed" || auth == nil || auth["firstSeen"] != true {
		t.Fatalf("the right code answered %v, want completed with authInfo", done)
	}
	u, ok := m.LookupUser(email)
	if !ok || !u.VerifiedEmail {
		t.Fatalf("user %+v (found %v), want a new user with a verified email", u, ok)
	}
	if claims := verifiedClaimsT(t, m, auth["sessionJwt"].(string)); claims["sub"] != u.ID {
		t.Errorf("session sub %v, want %s", claims["sub"], u.ID)
	}
	if la, _ := done["lastAuth"].(map[string]any); la["authMethod"] != "otp" {
		t.Errorf("lastAuth %v, want authMethod otp", done["lastAuth"])
	}
	// Replayed: the execution ended with the session.
	flowNext(t, m, code, "verify", map[string]any{"code": msgs[0].Code}).refused(t, http.StatusBadRequest, mockidp.CodeFlowExecution)
}

// When config.json's start screen was shown by the component, start
// carries the clicked button and its form: the action runs at once.
func TestFlowStartWithInteraction(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	a := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in", "interactionId": "continue", "input": map[string]any{"email": "eager@example.com"}}).ok(t)
	screenOf(t, a, "sign-up-or-in.code")
	if a["stepId"] != "2" || len(m.Outbox("eager@example.com")) != 1 {
		t.Fatalf("start with an interaction answered %v", a)
	}
}

// Sign-in by magic link: an unknown login ID is the screen's error; a
// known one gets a link leading to the start's redirect URL with the
// execution, step and token the component resumes from; the link's token
// finishes the flow once.
func TestFlowMagicLink(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	email := "linked@example.com"
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-in", "options": map[string]any{"redirectUrl": "http://localhost:3000/flow?flow=sign-in"}}).ok(t)
	unknown := flowNext(t, m, start, "send-link", map[string]any{"email": email}).ok(t)
	if state := screenOf(t, unknown, "sign-in.email"); !strings.Contains(state["errorText"].(string), "User not found") {
		t.Fatalf("sign-in of an unknown login ID answered %v, want the email screen with User not found", unknown)
	}
	if _, err := m.PutUser(mockidp.User{LoginIDs: []string{email}, Email: email, Name: "Linked"}); err != nil {
		t.Fatal(err)
	}
	sent := flowNext(t, m, start, "send-link", map[string]any{"email": email}).ok(t)
	screenOf(t, sent, "sign-in.sent")
	msgs := m.Outbox(email)
	if len(msgs) != 1 || msgs[0].Kind != mockidp.OutboxMagicLink {
		t.Fatalf("outbox %+v", msgs)
	}
	link, err := url.Parse(msgs[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	q := link.Query()
	if link.Host != "localhost:3000" || link.Path != "/flow" || q.Get("flow") != "sign-in" || q.Get("t") != msgs[0].Token ||
		q.Get("descope-login-flow") != sent["executionId"].(string)+"_"+sent["stepId"].(string) {
		t.Fatalf("link %s, want the redirect URL with descope-login-flow {executionId}_{stepId} and t", msgs[0].Link)
	}
	resume := map[string]any{"executionId": sent["executionId"], "stepId": sent["stepId"]}
	done := flowNext(t, m, resume, "submit", map[string]any{"token": q.Get("t")}).ok(t)
	if auth, _ := done["authInfo"].(map[string]any); done["status"] != "completed" || auth["sessionJwt"] == "" {
		t.Fatalf("the link answered %v, want completed", done)
	}
}

// The sign-up flow creates the user with the name of its form; sign-up of
// an existing login ID is the screen's error.
func TestFlowSignUpName(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up"}).ok(t)
	code := flowNext(t, m, start, "sign-up", map[string]any{"name": "Ada Flow", "email": "ada@example.com"}).ok(t)
	screenOf(t, code, "sign-up.code")
	flowNext(t, m, code, "verify", map[string]any{"code": m.Outbox("ada@example.com")[0].Code}).ok(t)
	if u, ok := m.LookupUser("ada@example.com"); !ok || u.Name != "Ada Flow" {
		t.Fatalf("user %+v, want Ada Flow", u)
	}
	again := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up"}).ok(t)
	exists := flowNext(t, m, again, "sign-up", map[string]any{"name": "Ada", "email": "ada@example.com"}).ok(t)
	if state := screenOf(t, exists, "sign-up.details"); !strings.Contains(state["errorText"].(string), "User already exists") {
		t.Fatalf("sign-up of an existing user answered %v", exists)
	}
}

// Requests the component never sends are Descope 4xx errors naming what
// was wrong: unknown flow, forged, foreign or malformed execution IDs,
// stale steps, unknown buttons, oversized values, missing fields.
func TestFlowBadRequests(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in"}).ok(t)
	exec := start["executionId"].(string)
	id := strings.TrimPrefix(exec, "sign-up-or-in|#|")
	moved := flowNext(t, m, start, "continue", map[string]any{"email": "moved@example.com"}).ok(t)
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		status     int
		code       string
	}{
		{"unknown flow", "/v1/flow/start", map[string]any{"flowId": "nope"}, 400, mockidp.CodeFlowNotFound},
		{"no flow ID", "/v1/flow/start", map[string]any{}, 400, mockidp.CodeMissingArgument},
		{"bad location", "/v1/flow/start", map[string]any{"flowId": "sign-in", "options": map[string]any{"location": "javascript:x"}}, 400, mockidp.CodeInvalidArgument},
		{"no execution", "/v1/flow/next", map[string]any{"stepId": "1", "interactionId": "x"}, 400, mockidp.CodeMissingArgument},
		{"malformed execution", "/v1/flow/next", map[string]any{"executionId": "abc", "stepId": "1", "interactionId": "continue"}, 400, mockidp.CodeFlowExecution},
		{"forged execution", "/v1/flow/next", map[string]any{"executionId": "sign-up-or-in|#|00112233445566778899aabbccddeeff", "stepId": "1", "interactionId": "continue"}, 400, mockidp.CodeFlowExecution},
		{"another flow's name", "/v1/flow/next", map[string]any{"executionId": "sign-in|#|" + id, "stepId": "2", "interactionId": "verify"}, 400, mockidp.CodeFlowExecution},
		{"stale step", "/v1/flow/next", map[string]any{"executionId": exec, "stepId": "1", "interactionId": "continue", "input": map[string]any{"email": "x@example.com"}}, 400, mockidp.CodeFlowStep},
		{"step not a number", "/v1/flow/next", map[string]any{"executionId": exec, "stepId": "two", "interactionId": "verify"}, 400, mockidp.CodeFlowStep},
		{"unknown button", "/v1/flow/next", map[string]any{"executionId": exec, "stepId": moved["stepId"], "interactionId": "continue"}, 400, mockidp.CodeFlowInteraction},
		{"oversized value", "/v1/flow/next", map[string]any{"executionId": exec, "stepId": "2", "interactionId": "verify", "input": map[string]any{"code": strings.Repeat("1", 2000)}}, 400, mockidp.CodeInvalidArgument},
		{"input not an object", "/v1/flow/next", map[string]any{"executionId": exec, "stepId": "2", "interactionId": "verify", "input": []int{1}}, 400, mockidp.CodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := flowCall(t, m, tc.path, tc.body).refused(t, tc.status, tc.code)
			if e.Message == "" {
				t.Error("the error names nothing")
			}
		})
	}
	noBearer := descope(t, m, "POST", "/v1/flow/start", "", `{"flowId":"sign-in"}`, "Authorization", "Bearer P2Other0000000000000000000000")
	noBearer.refused(t, http.StatusUnauthorized, mockidp.CodeBadClient)
	descope(t, m, "GET", "/v1/flow/start", "", "").refused(t, http.StatusMethodNotAllowed, mockidp.CodeMethod)
	descope(t, m, "POST", "/v1/flow/next", "", `{"executionId":`).refused(t, http.StatusBadRequest, mockidp.CodeBadRequest)
	// After all that, the execution still runs at its step.
	flowNext(t, m, moved, "verify", map[string]any{"code": m.Outbox("moved@example.com")[0].Code}).ok(t)
}

// An execution expires on the mock's clock (flow_settings.execution_ttl):
// next answers E103205, the code web-component restarts a flow on.
func TestFlowExecutionExpires(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_800_000_000, 0)
	m := mockidptest.Start(t, mockidp.Config{Now: func() time.Time { return base }})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in"}).ok(t)
	if err := m.Advance(time.Hour - time.Second); err != nil {
		t.Fatal(err)
	}
	code := flowNext(t, m, start, "continue", map[string]any{"email": "slow@example.com"}).ok(t)
	if err := m.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	flowNext(t, m, code, "verify", map[string]any{"code": "123456"}).refused(t, http.StatusBadRequest, mockidp.CodeFlowTimedOut)
	flowNext(t, m, code, "verify", map[string]any{"code": "123456"}).refused(t, http.StatusBadRequest, mockidp.CodeFlowExecution)
}

// Reset ends every execution.
func TestFlowReset(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in"}).ok(t)
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	flowNext(t, m, start, "continue", map[string]any{"email": "reset@example.com"}).refused(t, http.StatusBadRequest, mockidp.CodeFlowExecution)
}

const customFlowProject = `project_id: P2MockDescopeHarness00000001
flows:
  - id: gated
    screens:
      - id: terms
        title: Terms
        buttons:
          - {id: accept, label: Accept, action: next, next: email}
          - {id: decline, label: Decline, action: fail, error: "Terms declined"}
      - id: email
        fields: [{name: email, type: email, required: true}]
        buttons: [{id: go, action: send_otp, next: code}]
      - id: code
        fields: [{name: code, type: code}]
        buttons: [{id: verify, action: verify_otp}]
sessions:
  token_response: cookies
`

// A flow of the project file runs beside the built-ins: next goes to a
// screen, fail ends the flow with its message; in cookie mode the
// completed flow sets DS and DSR and leaves the JWTs out of authInfo.
func TestFlowFromProjectFile(t *testing.T) {
	t.Parallel()
	p, err := mockidp.ParseProject("p.yaml", []byte(customFlowProject))
	if err != nil {
		t.Fatal(err)
	}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "gated"}).ok(t)
	e := flowNext(t, m, start, "decline", nil).refused(t, http.StatusBadRequest, mockidp.CodeFlowFailed)
	if e.Message != "Terms declined" {
		t.Errorf("fail message %q, want Terms declined", e.Message)
	}
	flowNext(t, m, start, "accept", nil).refused(t, http.StatusBadRequest, mockidp.CodeFlowExecution) // ended by fail

	start = flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "gated"}).ok(t)
	email := flowNext(t, m, start, "accept", nil).ok(t)
	screenOf(t, email, "gated.email")
	code := flowNext(t, m, email, "go", map[string]any{"email": "gated@example.com"}).ok(t)
	done := flowNext(t, m, code, "verify", map[string]any{"code": m.Outbox("gated@example.com")[0].Code})
	auth := done.ok(t)["authInfo"].(map[string]any)
	if auth["sessionJwt"] != nil || auth["refreshJwt"] != nil {
		t.Errorf("cookie mode: authInfo %v holds a JWT", auth)
	}
	cookies := strings.Join(done.header.Values("Set-Cookie"), "\n")
	if !strings.Contains(cookies, "DS=") || !strings.Contains(cookies, "DSR=") {
		t.Errorf("cookie mode: Set-Cookie %q, want DS and DSR", cookies)
	}
	// The built-ins are still there.
	flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up"}).ok(t)
}

// A fault on the flow endpoint fails the next flow call, as on any endpoint.
func TestFlowFault(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	if err := m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointFlow, Status: 500, Count: 1}); err != nil {
		t.Fatal(err)
	}
	flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-in"}).refused(t, http.StatusInternalServerError, mockidp.CodeServerError)
	flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-in"}).ok(t)
}

// Many clicks of one button at one step (a double submit, a replay race):
// exactly one moves the execution on; the others are refused as stale.
func TestFlowConcurrentSteps(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "sign-up-or-in"}).ok(t)
	const n = 32
	statuses := make(chan answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses <- flowCall(t, m, "/v1/flow/next", map[string]any{"executionId": start["executionId"], "stepId": "1", "interactionId": "continue",
				"input": map[string]any{"email": "racer" + strconv.Itoa(i) + "@example.com"}})
		})
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for a := range statuses {
		switch a.status {
		case http.StatusOK:
			ok++
		default:
			a.refused(t, http.StatusBadRequest, mockidp.CodeFlowStep)
		}
	}
	if ok != 1 {
		t.Errorf("%d clicks moved the execution on, want 1", ok)
	}
}

const accountFlowProject = `project_id: P2MockDescopeHarness00000001
tenants: [{id: T1, name: One}, {id: T2, name: Two}]
users:
  - {login_ids: [member@example.com], email: member@example.com, tenants: [{tenant_id: T1}]}
flows:
  - id: account
    screens:
      - id: email
        fields: [{name: email, type: email}]
        buttons: [{id: send, action: send_otp, mode: sign_in, next: code}]
      - id: code
        fields: [{name: code, type: code}]
        buttons: [{id: verify, action: verify_otp, next: password}]
      - id: password
        fields: [{name: password, type: password}]
        buttons:
          - {id: set, action: set_password, next: tenant}
          - {id: skip, action: end}
      - id: tenant
        fields: [{name: tenant, type: text}]
        buttons: [{id: pick, action: select_tenant}]
`

// After a code, a flow goes on with the signed-in user: set_password sets
// what password sign-in then accepts, select_tenant makes a tenant of the
// user the session's dct (others are the screen's error), end ends with
// the session; none of them runs before a code signed someone in.
func TestFlowUserActions(t *testing.T) {
	t.Parallel()
	p, err := mockidp.ParseProject("p.yaml", []byte(accountFlowProject))
	if err != nil {
		t.Fatal(err)
	}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	email := "member@example.com"
	signedIn := func() map[string]any {
		start := flowCall(t, m, "/v1/flow/start", map[string]any{"flowId": "account"}).ok(t)
		code := flowNext(t, m, start, "send", map[string]any{"email": email}).ok(t)
		msgs := m.Outbox(email)
		pw := flowNext(t, m, code, "verify", map[string]any{"code": msgs[len(msgs)-1].Code}).ok(t)
		screenOf(t, pw, "account.password")
		return pw
	}
	pw := signedIn()
	short := flowNext(t, m, pw, "set", map[string]any{"password": "short"}).ok(t)
	if state := screenOf(t, short, "account.password"); !strings.Contains(state["errorText"].(string), "at least 8") {
		t.Fatalf("a short password answered %v", short)
	}
	tenant := flowNext(t, m, pw, "set", map[string]any{"password": "long enough password"}).ok(t)
	screenOf(t, tenant, "account.tenant")
	descope(t, m, "POST", "/v1/auth/password/signin", "", jsonBody(t, map[string]any{"loginId": email, "password": "long enough password"})).ok(t)
	other := flowNext(t, m, tenant, "pick", map[string]any{"tenant": "T2"}).ok(t)
	if state := screenOf(t, other, "account.tenant"); !strings.Contains(state["errorText"].(string), "not a member") {
		t.Fatalf("a tenant of others answered %v", other)
	}
	done := flowNext(t, m, tenant, "pick", map[string]any{"tenant": "T1"}).ok(t)
	auth := done["authInfo"].(map[string]any)
	if claims := verifiedClaimsT(t, m, auth["sessionJwt"].(string)); claims["dct"] != "T1" || done["status"] != "completed" {
		t.Fatalf("select_tenant completed %v with claims %v, want dct T1", done["status"], claims)
	}

	if done := flowNext(t, m, signedIn(), "skip", nil).ok(t); done["status"] != "completed" {
		t.Fatalf("end answered %v", done)
	}
	// No user signed in yet: the user actions are refused.
	p2, err := mockidp.ParseProject("p.yaml", []byte(strings.Replace(accountFlowProject, "      - id: email\n", "      - id: early\n        buttons: [{id: end-now, action: end}]\n      - id: email\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	m2 := mockidptest.Start(t, mockidp.Config{Project: p2})
	start := flowCall(t, m2, "/v1/flow/start", map[string]any{"flowId": "account"}).ok(t)
	flowNext(t, m2, start, "end-now", nil).refused(t, http.StatusBadRequest, mockidp.CodeFlowInteraction)
}
