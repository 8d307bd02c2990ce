package mockidp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/state"
	"github.com/descope-harness/harness/mockidp/wire"
)

// The flow API (POST /v1/flow/start and /v1/flow/next) runs the project's
// flows (project.Flow) for the <descope-wc> web component: start answers
// the first screen, or, when the component already showed it (config.json's
// startScreenId) and sends the clicked button's interaction ID, does that
// button's action; next does the action of a button of the current screen,
// or, with the interaction "submit" and input.token, finishes a magic-link
// sign-in. An action that needs the user to try again (a wrong code, an
// unknown login ID on sign-in) answers the same screen with errorText, as
// Descope's "automatic" error handling does; a request the component would
// never send (unknown flow or button, a forged, ended or replayed execution
// or step) is a 400 with a Descope error body, and an expired execution is
// E103205, on which the component's restart-on-error restarts the flow.

// flowRoutes adds the flow API and the static files (called from Server.routes).
func (s *Server) flowRoutes(rt *router) {
	rt.surface("/v1/flow/start", EndpointFlow, s.handleFlowStart, http.MethodPost)
	rt.surface("/v1/flow/next", EndpointFlow, s.handleFlowNext, http.MethodPost)
	// Each file is a literal route (the router serves those from its
	// exact-path map, without the pattern matcher); the wildcard answers
	// every other name with a 404.
	for name, page := range s.flowPages {
		rt.surface("/pages/{pid}/v2-beta/"+name, EndpointFlowPages, page.serve, http.MethodGet, http.MethodHead)
	}
	rt.surface("/pages/{pid}/v2-beta/{file}", EndpointFlowPages, handleNoFlowPage, http.MethodGet, http.MethodHead)
}

// flowRun is one request's view of an execution: the execution as it will
// be stored and the flow it runs.
type flowRun struct {
	exec     state.FlowExecution
	flow     *project.Flow
	prevStep int // the step the execution was at (0: a new execution)
}

func (s *Server) handleFlowStart(w http.ResponseWriter, r *http.Request) (int, error) {
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return 0, err
	}
	req, err := parseFlowStart(body)
	if err != nil {
		return 0, err
	}
	if _, err := s.bearerParts(r, ""); err != nil {
		return 0, err
	}
	flow, ok := s.flowDefs[req.FlowID]
	if !ok {
		return 0, descopeError(http.StatusBadRequest, CodeFlowNotFound, "Flow not found", "no flow %q in the project (built in: sign-up-or-in, sign-in, sign-up; declare others under flows: in the project file)", truncate(req.FlowID, 64))
	}
	now := s.clock.Now()
	run := flowRun{flow: flow, exec: state.FlowExecution{
		ID: state.NewFlowExecutionID(), FlowID: flow.ID, Step: 1,
		Expires: now.Add(time.Duration(s.project.FlowSettings.ExecutionTTL)).Unix(),
	}}
	if o := req.Options; o != nil {
		run.exec.LinkBase = o.RedirectURL
		if run.exec.LinkBase == "" {
			run.exec.LinkBase = o.Location
		}
	}
	if req.InteractionID == "" {
		if err := s.state.PutFlow(run.exec, 0); err != nil {
			return 0, stateError(err)
		}
		return s.writeFlowScreen(w, &run, "")
	}
	// The component showed the start screen from config.json and sends the
	// button clicked there.
	return s.flowInteraction(w, r, &run, req.InteractionID, req.input)
}

func (s *Server) handleFlowNext(w http.ResponseWriter, r *http.Request) (int, error) {
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return 0, err
	}
	req, err := parseFlowNext(body)
	if err != nil {
		return 0, err
	}
	if _, err := s.bearerParts(r, ""); err != nil {
		return 0, err
	}
	exec, err := s.state.Flow(req.execID)
	if err == nil && exec.FlowID != req.flowID {
		err = state.ErrFlowExecutionUnknown // a forged ID: another flow's name on this execution
	}
	if err != nil {
		return 0, stateError(err)
	}
	if exec.Step != req.step {
		return 0, descopeError(http.StatusBadRequest, CodeFlowStep, "Flow step not found", "stepId %q is not the execution's current step %d: a replayed or stale request", truncate(req.StepID, 64), exec.Step)
	}
	run := flowRun{exec: exec, flow: s.flowDefs[exec.FlowID], prevStep: exec.Step}
	return s.flowInteraction(w, r, &run, req.InteractionID, req.input)
}

// flowInteraction does what interaction asks on the current screen and
// answers the next screen, the same screen with an error, or the session.
func (s *Server) flowInteraction(w http.ResponseWriter, r *http.Request, run *flowRun, interaction string, input map[string]string) (int, error) {
	screen := &run.flow.Screens[run.exec.Screen]
	if interaction == flowSubmitInteraction && input["token"] != "" {
		return s.flowMagicLinkReturn(w, r, run, input["token"])
	}
	var button *project.Button
	for i := range screen.Buttons {
		if screen.Buttons[i].ID == interaction {
			button = &screen.Buttons[i]
		}
	}
	if button == nil {
		return 0, descopeError(http.StatusBadRequest, CodeFlowInteraction, "Flow interaction not found", "screen %q of flow %q has no button %q", screen.ID, run.flow.ID, truncate(interaction, 64))
	}
	switch button.Action {
	case project.ActionSendOTP, project.ActionSendMagicLink:
		errText, err := s.flowSend(r, run, button, input)
		if err != nil || errText != "" {
			return s.flowRetry(w, run, errText, err)
		}
		return s.flowAdvance(w, run, button.Next)
	case project.ActionVerifyOTP:
		if run.exec.LoginID == "" {
			return 0, descopeError(http.StatusBadRequest, CodeFlowInteraction, "Flow interaction not found", "button %q verifies a code, but this execution sent none: a send_otp button must come first", button.ID)
		}
		c, err := s.state.TakeOTP("email", run.exec.LoginID, input[button.CodeField])
		if err != nil {
			return s.flowRetry(w, run, flowCodeErrorText(err), nil)
		}
		return s.flowSignedIn(w, r, run, c, "otp", button.Next)
	case project.ActionSetPassword, project.ActionSelectTenant, project.ActionEnd:
		if run.exec.UserID == "" {
			return 0, descopeError(http.StatusBadRequest, CodeFlowInteraction, "Flow interaction not found", "button %q needs a signed-in user: a verify_otp with a next screen (or a magic link) must come first", button.ID)
		}
		if errText, err := s.flowUserAction(run, button, input); err != nil || errText != "" {
			return s.flowRetry(w, run, errText, err)
		}
		if button.Next != "" {
			return s.flowAdvance(w, run, button.Next)
		}
		return s.flowComplete(w, r, run, state.PendingCode{UserID: run.exec.UserID, LoginID: run.exec.LoginID, Method: "email", Tenant: run.exec.Tenant}, run.exec.AuthMethod)
	case project.ActionNext:
		return s.flowAdvance(w, run, button.Next)
	default: // project.ActionFail
		s.state.EndFlow(run.exec.ID, run.prevStep)
		return 0, descopeError(http.StatusBadRequest, CodeFlowFailed, "Flow failed", "%s", button.Error)
	}
}

// flowSend sends a code or link to the login ID of button's field. A
// refusal the user can fix (unknown user on sign-in, existing user on
// sign-up, a login ID that is no email) is returned as text for the screen.
func (s *Server) flowSend(r *http.Request, run *flowRun, button *project.Button, input map[string]string) (string, error) {
	loginID := input[button.LoginIDField]
	if loginID == "" {
		return "Enter your email address", nil
	}
	req := signInRequest{LoginID: loginID}
	if button.NameField != "" {
		req.User = &signUpUser{Name: input[button.NameField]}
	}
	if err := checkText("input."+button.LoginIDField, loginID, project.MaxLoginIDLen); err != nil {
		return "", err
	}
	mode := map[string]signMode{project.ModeSignIn: modeSignIn, project.ModeSignUp: modeSignUp, project.ModeSignUpOrIn: modeSignUpOrIn}[button.Mode]
	c, to, err := s.beginSignIn(r, req, mode, "email")
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return e.Description + ": " + e.Message, nil
		}
		return "", err
	}
	msg := OutboxMessage{LoginID: loginID, Method: "email", To: to}
	var link *url.URL
	if button.Action == project.ActionSendOTP {
		msg.Kind = OutboxOTP
	} else {
		base := run.exec.LinkBase
		if base == "" {
			base = s.baseURL(r) + "/magiclink"
		}
		if link, err = url.Parse(base); err != nil {
			return "", invalidArgument("the link's base %q is not a URL", truncate(base, 128))
		}
		c.Kind = state.CodeMagicLink
		msg.Kind = OutboxMagicLink
	}
	// The component on the page the link opens reads its execution and
	// step from descope-login-flow and the token from t (web-component
	// helpers.ts getRunIdsFromUrl, getTokenFromUrl).
	msg, _, err = s.state.SendCode(c, msg, func(token string) string {
		q := link.Query()
		q.Set("descope-login-flow", run.flow.ID+executionIDSeparator+run.exec.ID+"_"+strconv.Itoa(run.exec.Step+1))
		q.Set("t", token)
		u := *link
		u.RawQuery = q.Encode()
		return u.String()
	})
	if err != nil {
		return "", stateError(err)
	}
	// The login ID, never the code or link.
	s.log.Debug("flow sent", "flow", run.flow.ID, "kind", msg.Kind, "login_id", truncate(loginID, 64), "new_user", c.SignUp != nil)
	run.exec.LoginID = loginID
	if run.exec.Form == nil {
		run.exec.Form = map[string]string{}
	}
	run.exec.Form[button.LoginIDField] = loginID
	if button.NameField != "" {
		run.exec.Form[button.NameField] = input[button.NameField]
	}
	return "", nil
}

// flowMagicLinkReturn finishes a flow on the page a magic link opened.
func (s *Server) flowMagicLinkReturn(w http.ResponseWriter, r *http.Request, run *flowRun, token string) (int, error) {
	c, err := s.state.TakeLink(state.CodeMagicLink, token)
	if err == nil && c.LoginID != run.exec.LoginID {
		err = state.ErrCodeUnknown // another execution's link
	}
	if err != nil {
		return s.flowRetry(w, run, flowCodeErrorText(err), nil)
	}
	return s.flowSignedIn(w, r, run, c, "magiclink", "")
}

// flowSignedIn goes on after a used code or link: the flow ends with the
// session, or, when the button names a next screen, the user (created
// now for a sign-up) is kept for the actions there.
func (s *Server) flowSignedIn(w http.ResponseWriter, r *http.Request, run *flowRun, c state.PendingCode, authMethod, next string) (int, error) {
	if next == "" {
		return s.flowComplete(w, r, run, c, authMethod)
	}
	u, ok := User{}, false
	if c.SignUp != nil {
		var err error
		if u, ok, err = s.createSignedUp(c); err != nil {
			return 0, err
		}
	} else {
		u, ok = s.state.UserByID(c.UserID)
	}
	if !ok {
		return 0, authUserNotFound(c.LoginID)
	}
	run.exec.UserID, run.exec.AuthMethod = u.ID, authMethod
	return s.flowAdvance(w, run, next)
}

// flowUserAction sets the signed-in user's password or picks its tenant;
// what the user can fix is returned as text for the screen.
func (s *Server) flowUserAction(run *flowRun, button *project.Button, input map[string]string) (string, error) {
	u, ok := s.state.UserByID(run.exec.UserID)
	if !ok {
		return "", authUserNotFound(run.exec.LoginID)
	}
	switch button.Action {
	case project.ActionSetPassword:
		pw := input[button.PasswordField]
		if len(pw) < minPasswordLen {
			return fmt.Sprintf("The password must be at least %d characters", minPasswordLen), nil
		}
		if len(pw) > maxPasswordBytes {
			return fmt.Sprintf("The password must be at most %d bytes", maxPasswordBytes), nil
		}
		u.Password, u.PasswordExpired = pw, false
		if _, _, err := s.state.PutUser(u, true); err != nil {
			return "", stateError(err)
		}
	case project.ActionSelectTenant:
		tenant := input[button.TenantField]
		if !u.HasTenant(tenant) {
			return fmt.Sprintf("You are not a member of tenant %q", truncate(tenant, 64)), nil
		}
		run.exec.Tenant = tenant
	}
	return "", nil
}

// flowComplete ends the flow with a session for the user of c (a used code,
// or the user a flow signed in before): status completed, authInfo.
func (s *Server) flowComplete(w http.ResponseWriter, r *http.Request, run *flowRun, c state.PendingCode, authMethod string) (int, error) {
	if !s.state.EndFlow(run.exec.ID, run.prevStep) && run.prevStep != 0 {
		return 0, descopeError(http.StatusBadRequest, CodeFlowStep, "Flow step not found", "the execution moved on meanwhile: a replayed or concurrent request")
	}
	is, u, err := s.sessionForCode(r, c)
	if err != nil {
		return 0, err
	}
	h := w.Header()
	authInfo, err := s.sessionBody(h, r, is, u, s.state.FirstLogin(u.ID), s.project.Sessions.TokenResponse)
	if err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, wire.FlowResponse{
		ExecutionID: run.flow.ID + executionIDSeparator + run.exec.ID, StepID: strconv.Itoa(run.exec.Step + 1),
		Status: "completed", AuthInfo: authInfo, LastAuth: &wire.FlowLastAuth{AuthMethod: authMethod},
	}), nil
}

// flowAdvance moves the execution to screen next and answers it.
func (s *Server) flowAdvance(w http.ResponseWriter, run *flowRun, next string) (int, error) {
	for i := range run.flow.Screens {
		if run.flow.Screens[i].ID == next {
			run.exec.Screen = i
		}
	}
	run.exec.Step++
	if err := s.state.PutFlow(run.exec, run.prevStep); err != nil {
		return 0, stateError(err)
	}
	return s.writeFlowScreen(w, run, "")
}

// flowRetry answers the current screen again with errText (err, when not
// nil, is answered instead). The step stays; what the action sent is kept.
func (s *Server) flowRetry(w http.ResponseWriter, run *flowRun, errText string, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	if err := s.state.PutFlow(run.exec, run.prevStep); err != nil {
		return 0, stateError(err)
	}
	return s.writeFlowScreen(w, run, errText)
}

// writeFlowScreen answers the execution's current screen.
func (s *Server) writeFlowScreen(w http.ResponseWriter, run *flowRun, errText string) (int, error) {
	sc := &run.flow.Screens[run.exec.Screen]
	resp := wire.FlowResponse{
		ExecutionID: run.flow.ID + executionIDSeparator + run.exec.ID, StepID: strconv.Itoa(run.exec.Step),
		StepName: sc.Name, Status: "waiting", Action: "screen",
		Screen: &wire.FlowScreen{ID: flowScreenFile(run.flow.ID, sc.ID), State: wire.FlowScreenState{Form: run.exec.Form, ErrorText: errText}},
	}
	if resp.StepName == "" {
		resp.StepName = sc.ID
	}
	if errText != "" {
		resp.Screen.State.ErrorType = "error"
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, resp), nil
}

// flowCodeErrorText is what a screen shows for a code or link that did not
// sign the user in (mock's wording; Descope's is the project's).
func flowCodeErrorText(err error) string {
	switch {
	case errors.Is(err, state.ErrCodeWrong):
		return "Wrong code: try again"
	case errors.Is(err, state.ErrCodeAttempts):
		return "Too many wrong codes: start again"
	case errors.Is(err, state.ErrCodeExpired):
		return "The code has expired: start again"
	}
	return "This code or link is not valid anymore: start again"
}
