package harness

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported
)

// Bodies and challenges of the API contract (api-contract.md, "Authentication and errors").
const (
	BodyMissingHeader = `{"detail":"Missing Authorization header"}`
	BodyInvalidHeader = `{"detail":"Invalid Authorization header format. Expected: Bearer <token>"}`
	BodyInvalidToken  = `{"detail":"Invalid or unauthorized token"}`
	BodyUnavailable   = `{"detail":"Authentication temporarily unavailable"}`
	BodyNotFound      = `{"detail":"Not Found"}`
	BodyNotAllowed    = `{"detail":"Method Not Allowed"}`

	ChallengeMissing        = `Bearer realm="api"`
	ChallengeInvalidRequest = `Bearer realm="api", error="invalid_request"`
	ChallengeInvalidToken   = `Bearer realm="api", error="invalid_token"`
	ChallengeMissingOpenID  = `Bearer realm="api", error="insufficient_scope", scope="openid"`
)

// Reason strings of error-detail mode.
const (
	ReasonExpired     = "token has expired"
	ReasonNotYetValid = "token is not yet valid"
	ReasonSignature   = "invalid signature"
	ReasonIssuer      = "invalid issuer"
	ReasonAudience    = "invalid audience"
	ReasonUnknownKey  = "unknown key id"
	ReasonAlgorithm   = "algorithm not allowed"
	ReasonMalformed   = "malformed token"
	ReasonTooLarge    = "token too large"
	ReasonMissingExp  = "missing exp claim"
)

// ExpectJSON asserts status, a JSON content type, Cache-Control: no-store and a body equal (as JSON) to body.
func ExpectJSON(resp *Response, status int, body string) {
	GinkgoHelper()
	Expect(resp.Status).To(Equal(status), "status of %s", resp)
	Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"), "Content-Type of %s", resp)
	Expect(resp.Header.Get("Cache-Control")).To(Equal("no-store"), "Cache-Control of %s", resp)
	Expect(string(resp.Body)).To(MatchJSON(body))
}

// ExpectChallenge asserts the WWW-Authenticate header ("" for none).
func ExpectChallenge(resp *Response, challenge string) {
	GinkgoHelper()
	if challenge == "" {
		Expect(resp.Header.Values("WWW-Authenticate")).To(BeEmpty(), "WWW-Authenticate of %s", resp)
		return
	}
	Expect(resp.Header.Values("WWW-Authenticate")).To(Equal([]string{challenge}), "WWW-Authenticate of %s", resp)
}

// ExpectMissingHeader asserts the contract's 401 for a request without credentials.
func ExpectMissingHeader(resp *Response) {
	GinkgoHelper()
	ExpectJSON(resp, 401, BodyMissingHeader)
	ExpectChallenge(resp, ChallengeMissing)
}

// ExpectInvalidHeader asserts the contract's 401 for an Authorization header that is not "Bearer <token>".
func ExpectInvalidHeader(resp *Response) {
	GinkgoHelper()
	ExpectJSON(resp, 401, BodyInvalidHeader)
	ExpectChallenge(resp, ChallengeInvalidRequest)
}

// ExpectInvalidToken asserts the contract's uniform 401 for any token failure.
func ExpectInvalidToken(resp *Response) {
	GinkgoHelper()
	ExpectJSON(resp, 401, BodyInvalidToken)
	ExpectChallenge(resp, ChallengeInvalidToken)
}

// ExpectReason asserts the error-detail 401 naming reason.
func ExpectReason(resp *Response, reason string) {
	GinkgoHelper()
	ExpectJSON(resp, 401, `{"detail":"Token validation failed: `+reason+`"}`)
	ExpectChallenge(resp, ChallengeInvalidToken)
}

// ExpectUnavailable asserts the contract's 503 when keys cannot be obtained.
func ExpectUnavailable(resp *Response) {
	GinkgoHelper()
	ExpectJSON(resp, 503, BodyUnavailable)
	ExpectChallenge(resp, "")
	Expect(resp.Header.Get("Retry-After")).To(MatchRegexp(`^[1-9][0-9]*$`), "Retry-After of %s", resp)
}

// ExpectForbidden asserts a 403 with the contract's {"error":…,"status_code":403} body.
func ExpectForbidden(resp *Response, message string) {
	GinkgoHelper()
	ExpectJSON(resp, 403, `{"error":`+quoteJSON(message)+`,"status_code":403}`)
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
