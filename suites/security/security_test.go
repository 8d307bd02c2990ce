package security_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/onsi/gomega/types"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
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
			} else {
				req.BaseURL = env.DetailAPIURL
				detail := env.Do(req)
				Expect(detail.Status).NotTo(Equal(500), detail.String())
				expectOutcome(detail, h.want, true)
			}

			By("writing none of the request's credentials, the valid token or a client secret to the logs")
			secrets := append(credentials(req), c.valid, c.valid[strings.LastIndexByte(c.valid, '.')+1:])
			for _, client := range mockidp.DefaultProject().Clients {
				secrets = append(secrets, client.Secret)
			}
			expectNoCredentialInLogs(env, secrets)
		},
		hostileInputs,
	)
})

var _ = Describe("Oversized requests", Label("offline", "security"), func() {
	var env *harness.Env
	BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

	When("the Authorization header makes the header block larger than the API's limit", func() {
		It("answers 431 with the API's JSON body, before any token parsing", func() {
			c := newCorpus(env)
			// A validly signed token padded past the limit (base64 makes the
			// pad a third longer): refused for its size alone.
			token := c.env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient,
				Claims: map[string]any{"pad": strings.Repeat("A", env.MaxHeaderBytes*3/4+1024)}})
			Expect(len(token)).To(BeNumerically(">", env.MaxHeaderBytes))
			for _, base := range []string{env.APIURL, env.DetailAPIURL} {
				if base == "" {
					continue
				}
				resp := env.Do(harness.Request{Path: "/api/me", Token: token, BaseURL: base})
				harness.ExpectJSON(resp, 431, `{"detail":"Request header fields too large"}`)
				harness.ExpectChallenge(resp, "")
			}
		})

		It("answers a header block beyond net/http's own limit with 431, never a 500 or a reset connection", func() {
			resp := env.Do(harness.Request{Path: "/api/me", Token: strings.Repeat("A", 4*env.MaxHeaderBytes)})
			Expect(resp.Status).To(Equal(431), resp.String())
		})
	})

	When("the header block is just under the limit", func() {
		It("treats the token as a token failure (401), not a header-size one", func() {
			resp := env.Do(harness.Request{Path: "/api/me", Token: strings.Repeat("A", env.MaxHeaderBytes-1024)})
			harness.ExpectInvalidToken(resp)
		})
	})
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
		var bodies []types.GomegaMatcher
		for _, reason := range strings.Split(want, "|") {
			bodies = append(bodies, MatchJSON(`{"detail":"Token validation failed: `+reason+`"}`))
		}
		harness.ExpectJSON(resp, 401, string(resp.Body))
		Expect(string(resp.Body)).To(Or(bodies...))
		harness.ExpectChallenge(resp, harness.ChallengeInvalidToken)
	case detail:
		harness.ExpectReason(resp, want)
	default:
		harness.ExpectInvalidToken(resp)
	}
}
