package mockidp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Limits of the flow API's requests (its error codes are in error_codes.go).
const (
	executionIDSeparator  = "|#|"
	maxFlowInputValueLen  = 1024 // a form value
	maxFlowInputValues    = 64   // form values in one request
	maxFlowRequestIDLen   = 256  // flowId, executionId, stepId, interactionId
	flowSubmitInteraction = "submit"
)

// flowStartRequest is the body of POST /v1/flow/start (wire type;
// core-js-sdk src/sdk/flow/index.ts start: flowId, options,
// conditionInteractionId, interactionId, componentsVersion, flowVersions,
// input, isCustomScreen; web-js-sdk src/sdk/flow.ts adds options.location
// and options.deviceInfo). Fields the mock does not use are not decoded.
type flowStartRequest struct {
	FlowID        string          `json:"flowId"`
	Options       *flowOptions    `json:"options"`
	InteractionID string          `json:"interactionId"`
	Input         json.RawMessage `json:"input"`
	input         map[string]string
}

// flowOptions are the start options the mock reads.
type flowOptions struct {
	RedirectURL string `json:"redirectUrl"`
	Location    string `json:"location"`
}

// flowNextRequest is the body of POST /v1/flow/next (core-js-sdk next:
// executionId, stepId, interactionId, version, componentsVersion, input,
// isCustomScreen, options).
type flowNextRequest struct {
	ExecutionID   string          `json:"executionId"`
	StepID        string          `json:"stepId"`
	InteractionID string          `json:"interactionId"`
	Input         json.RawMessage `json:"input"`
	input         map[string]string
	// Parsed from ExecutionID ("{flowId}|#|{id}") and StepID.
	flowID, execID string
	step           int
}

// parseFlowStart decodes and checks a start body (the fuzzed parser):
// every refusal is a 400 naming the field.
func parseFlowStart(body []byte) (flowStartRequest, error) {
	var req flowStartRequest
	if err := decodeDescopeBody(body, &req); err != nil {
		return flowStartRequest{}, err
	}
	if req.FlowID == "" {
		return flowStartRequest{}, missingArgument("flowId")
	}
	for _, f := range []struct{ name, v string }{{"flowId", req.FlowID}, {"interactionId", req.InteractionID}} {
		if err := checkText(f.name, f.v, maxFlowRequestIDLen); err != nil {
			return flowStartRequest{}, err
		}
	}
	if o := req.Options; o != nil {
		for _, f := range []struct{ name, v string }{{"options.redirectUrl", o.RedirectURL}, {"options.location", o.Location}} {
			if f.v == "" {
				continue
			}
			if len(f.v) > maxURILen {
				return flowStartRequest{}, invalidArgument("%s is %d bytes, over the limit of %d", f.name, len(f.v), maxURILen)
			}
			u, err := url.Parse(f.v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return flowStartRequest{}, invalidArgument("%s %q is not an absolute http(s) URL", f.name, truncate(f.v, 128))
			}
		}
	}
	var err error
	if req.input, err = parseFlowInput(req.Input); err != nil {
		return flowStartRequest{}, err
	}
	return req, nil
}

// parseFlowNext decodes and checks a next body (the fuzzed parser).
func parseFlowNext(body []byte) (flowNextRequest, error) {
	var req flowNextRequest
	if err := decodeDescopeBody(body, &req); err != nil {
		return flowNextRequest{}, err
	}
	for _, f := range []struct{ name, v string }{{"executionId", req.ExecutionID}, {"stepId", req.StepID}, {"interactionId", req.InteractionID}} {
		if f.v == "" {
			return flowNextRequest{}, missingArgument(f.name)
		}
		if err := checkText(f.name, f.v, maxFlowRequestIDLen); err != nil {
			return flowNextRequest{}, err
		}
	}
	flowID, execID, ok := strings.Cut(req.ExecutionID, executionIDSeparator)
	if !ok || flowID == "" || execID == "" {
		return flowNextRequest{}, flowExecutionError("executionId %q is not an execution ID of the mock ({flowId}|#|{id})", truncate(req.ExecutionID, 64))
	}
	req.flowID, req.execID = flowID, execID
	step, err := strconv.Atoi(req.StepID)
	if err != nil || step < 1 {
		return flowNextRequest{}, descopeError(http.StatusBadRequest, CodeFlowStep, "Flow step not found", "stepId %q is not a step of the mock's flows (a positive number)", truncate(req.StepID, 64))
	}
	req.step = step
	if req.input, err = parseFlowInput(req.Input); err != nil {
		return flowNextRequest{}, err
	}
	return req, nil
}

// parseFlowInput reads the form values: an object whose string values the
// mock uses; numbers, booleans, null and lists (core-js-sdk FlowInput
// allows them) are accepted and left out.
func parseFlowInput(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var values map[string]json.RawMessage
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, badRequest("malformed JSON body: input must be an object of form values")
	}
	if len(values) > maxFlowInputValues {
		return nil, invalidArgument("input holds %d values, over the limit of %d", len(values), maxFlowInputValues)
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		if len(k) > maxFlowRequestIDLen {
			return nil, invalidArgument("input has a key of %d bytes, over the limit of %d", len(k), maxFlowRequestIDLen)
		}
		if len(v) == 0 || v[0] != '"' {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, badRequest("malformed JSON body: input.%s", truncate(k, 64))
		}
		if err := checkText(fmt.Sprintf("input.%s", truncate(k, 64)), s, maxFlowInputValueLen); err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

func flowExecutionError(format string, args ...any) *Error {
	return descopeError(http.StatusBadRequest, CodeFlowExecution, "Flow execution not found", format, args...)
}
