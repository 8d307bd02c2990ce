package wire

// FlowResponse is the answer of POST /v1/flow/start and /v1/flow/next
// (core-js-sdk src/sdk/types.ts FlowResponse; what web-component's
// DescopeWc.ts #handleSdkResponse reads): the execution and step to send
// back, and either a screen to show (status "waiting", action "screen") or
// the session (status "completed", authInfo).
type FlowResponse struct {
	ExecutionID string        `json:"executionId"`
	StepID      string        `json:"stepId"`
	StepName    string        `json:"stepName,omitempty"`
	Status      string        `json:"status"`
	Action      string        `json:"action"`
	Screen      *FlowScreen   `json:"screen,omitempty"`
	AuthInfo    *JWTResponse  `json:"authInfo,omitempty"`
	LastAuth    *FlowLastAuth `json:"lastAuth,omitempty"`
}

// FlowScreen names the screen to show ({id}.html of the static files) and
// its state: form (values shown in templates and put back into the
// inputs), errorText and errorType (shown by the screen's error-message
// element).
type FlowScreen struct {
	ID    string          `json:"id"`
	State FlowScreenState `json:"state"`
}

// FlowScreenState is a screen's state.
type FlowScreenState struct {
	Form      map[string]string `json:"form,omitempty"`
	ErrorText string            `json:"errorText,omitempty"`
	ErrorType string            `json:"errorType,omitempty"`
}

// FlowLastAuth is how the user signed in, kept by the component for the
// next visit (core-js-sdk LastAuth authMethod).
type FlowLastAuth struct {
	AuthMethod string `json:"authMethod"`
}

// FlowConfig is config.json of the static files
// ({baseUrl}/pages/{projectId}/v2-beta/config.json; sdk-mixins
// configMixin, web-component types.ts ProjectConfiguration).
type FlowConfig struct {
	ComponentsVersion string                    `json:"componentsVersion"`
	Flows             map[string]FlowConfigFlow `json:"flows"`
}

// FlowConfigFlow is one flow of config.json: its version and the screen
// the component shows before calling start.
type FlowConfigFlow struct {
	Version         int    `json:"version"`
	StartScreenID   string `json:"startScreenId,omitempty"`
	StartScreenName string `json:"startScreenName,omitempty"`
}
