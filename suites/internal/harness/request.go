package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported
)

// Request is one call to the API.
type Request struct {
	// Method (optional, default GET).
	Method string
	// Path is the path and query, e.g. "/api/users?name=a&email=b".
	Path string
	// Token (optional) - sent as "Authorization: Bearer <Token>".
	Token string
	// Authorization (optional) - raw Authorization header values, sent as
	// given (several values mean several headers); overrides Token.
	Authorization []string
	// Header (optional) - extra headers.
	Header http.Header
	// BaseURL (optional, default the Env's API) - another server, e.g. DetailAPIURL.
	BaseURL string
}

// Response is an API answer, body read.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response header.
	Header http.Header
	// Body is the whole body.
	Body []byte
}

// JSON decodes the body as a JSON object, failing the spec if it is not one.
func (r *Response) JSON() map[string]any {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "body is not a JSON object: %s", r.Body)
	return m
}

// String is the status and body, for failure messages.
func (r *Response) String() string { return http.StatusText(r.Status) + " " + string(r.Body) }

// Do sends req to the API and reads the whole answer; a transport error fails the spec.
func (e *Env) Do(req Request) *Response {
	GinkgoHelper()
	resp, err := e.Try(req)
	Expect(err).NotTo(HaveOccurred(), "%s %s", req.Method, req.Path)
	return resp
}

// Try sends req and returns a transport error instead of failing, for
// goroutines and Eventually.
func (e *Env) Try(req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	base := req.BaseURL
	if base == "" {
		base = e.APIURL
	}
	hr, err := http.NewRequest(method, strings.TrimSuffix(base, "/")+req.Path, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	switch {
	case req.Authorization != nil:
		hr.Header["Authorization"] = req.Authorization
	case req.Token != "":
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	resp, err := e.http.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Get is a GET of path with token (none when "").
func (e *Env) Get(path, token string) *Response {
	GinkgoHelper()
	return e.Do(Request{Path: path, Token: token})
}

// StatusOf is the status of a GET of path with token; transport errors give 0.
// It suits Eventually and concurrent workers.
func (e *Env) StatusOf(path, token string) int {
	resp, err := e.Try(Request{Path: path, Token: token})
	if err != nil {
		GinkgoWriter.Printf("GET %s: %v\n", path, err)
		return 0
	}
	return resp.Status
}
