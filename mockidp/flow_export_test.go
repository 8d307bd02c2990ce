package mockidp

// ParseFlowStart and ParseFlowNext expose the flow request parsers to the
// fuzz target; they return the form values taken.
func ParseFlowStart(body []byte) (map[string]string, error) {
	req, err := parseFlowStart(body)
	return req.input, err
}

func ParseFlowNext(body []byte) (map[string]string, error) {
	req, err := parseFlowNext(body)
	return req.input, err
}
