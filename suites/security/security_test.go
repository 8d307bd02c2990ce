package security_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/harness"
)

var _ = Describe("Hostile input", Label("offline", "security"), func() {
	var env *harness.Env
	BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

	It("has a corpus of at least 40 inputs", func() {
		Expect(len(hostileInputs)).To(BeNumerically(">=", 40))
	})

	DescribeTable("gets the contract's 401, never a 500",
		func(h hostile) {
			c := newCorpus(env)
			req := h.build(c)
			if req.Path == "" {
				req.Path = "/api/me"
			}
			resp := env.Do(req)
			Expect(resp.Status).NotTo(Equal(500), resp.String())
			expectOutcome(resp, h.want, false)

			if env.DetailAPIURL == "" {
				GinkgoWriter.Println("no error-detail API: reason not checked")
				return
			}
			req.BaseURL = env.DetailAPIURL
			detail := env.Do(req)
			Expect(detail.Status).NotTo(Equal(500), detail.String())
			expectOutcome(detail, h.want, true)
		},
		hostileInputs,
	)
})

// expectOutcome asserts want: a header outcome, or a token failure with the
// uniform body (or, in detail mode, the reason).
func expectOutcome(resp *harness.Response, want string, detail bool) {
	GinkgoHelper()
	switch {
	case want == wantMissingHeader:
		harness.ExpectMissingHeader(resp)
	case want == wantInvalidHeader:
		harness.ExpectInvalidHeader(resp)
	case detail && strings.Contains(want, "|"):
		bodies := []string{}
		for _, reason := range strings.Split(want, "|") {
			bodies = append(bodies, `{"detail":"Token validation failed: `+reason+`"}`)
		}
		Expect(resp.Status).To(Equal(401))
		Expect(string(resp.Body)).To(Or(MatchJSON(bodies[0]), MatchJSON(bodies[1])))
		harness.ExpectChallenge(resp, harness.ChallengeInvalidToken)
	case detail:
		harness.ExpectReason(resp, want)
	default:
		harness.ExpectInvalidToken(resp)
	}
}
