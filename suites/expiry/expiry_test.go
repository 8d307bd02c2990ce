package expiry_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// The validator's boundaries (api/auth validator.go), with whole-second
// claims on a frozen clock:
//   - exp: accepted while now < exp + leeway; refused from exp + leeway on
//     (the upper bound is exclusive);
//   - nbf: accepted from nbf - leeway on (inclusive); refused before.

// unixOf reads a NumericDate claim of token as whole seconds.
func unixOf(token, claim string) int64 {
	GinkgoHelper()
	v, ok := harness.Payload(token)[claim].(float64)
	Expect(ok).To(BeTrue(), "claim %s is a number", claim)
	return int64(v)
}

// check asserts the uniform 401 on the API and the reason on the detail API,
// or 200 on both. Without a detail API (an external target that names none)
// only the API is checked.
func check(env *harness.Env, token, reason string) {
	GinkgoHelper()
	resp := env.Get("/api/me", token)
	if reason == "" {
		Expect(resp.Status).To(Equal(200), resp.String())
	} else {
		harness.ExpectInvalidToken(resp)
	}
	if env.DetailAPIURL == "" {
		GinkgoWriter.Println("no error-detail API: reason not checked")
		return
	}
	detail := env.Do(harness.Request{Path: "/api/me", Token: token, BaseURL: env.DetailAPIURL})
	if reason == "" {
		Expect(detail.Status).To(Equal(200), detail.String())
		return
	}
	harness.ExpectReason(detail, reason)
}

var _ = Describe("Token lifetime", Label("offline", "expiry"), func() {
	var env *harness.Env

	When("the token is a client-credentials token", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

		It("is accepted up to exp + leeway and refused after", func(ctx SpecContext) {
			if env.Target == harness.External {
				// No shared clock: a token whose exp + leeway is about 2 s away
				// in real time (its exp already passed, so only the leeway
				// lets it in).
				token := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient,
					Expiry: mockclient.Offset(2*time.Second - env.Leeway)})
				refuseFrom := time.Unix(unixOf(token, "exp"), 0).Add(env.Leeway)
				check(env, token, "")
				Eventually(ctx, func() int { return env.StatusOf("/api/me", token) }).
					WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal(401))
				// A second for clock skew between this process and the API.
				Expect(time.Now()).To(BeTemporally(">=", refuseFrom.Add(-time.Second)), "refused before exp + leeway")
				check(env, token, harness.ReasonExpired)
				return
			}
			token := env.Token(harness.AdminClient)
			exp := unixOf(token, "exp")
			Expect(exp-unixOf(token, "iat")).To(BeNumerically("==", 600), "the fixture TTL")
			check(env, token, "")
			env.SetClock(time.Unix(exp, 0).Add(env.Leeway - time.Second))
			check(env, token, "")
			env.Advance(time.Second)
			check(env, token, harness.ReasonExpired)
		})
	})

	When("the clock crosses exp with the default leeway", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

		DescribeTable("at exp + offset",
			func(offset time.Duration, reason string) {
				token := env.MintToken(mockclient.MintRequest{ClientID: harness.ReaderClient, Expiry: mockclient.Offset(time.Minute)})
				env.SetClock(time.Unix(unixOf(token, "exp"), 0).Add(offset))
				check(env, token, reason)
			},
			Entry("1 s before exp: accepted", -time.Second, ""),
			Entry("at exp: accepted (inside the leeway)", time.Duration(0), ""),
			Entry("at exp + 4 s: accepted", 4*time.Second, ""),
			Entry("at exp + 4.999 s: accepted", 5*time.Second-time.Millisecond, ""),
			Entry("at exp + 5 s (leeway): refused, the bound is exclusive", 5*time.Second, harness.ReasonExpired),
			Entry("at exp + 6 s: refused", 6*time.Second, harness.ReasonExpired),
			Entry("an hour later: refused", time.Hour, harness.ReasonExpired),
		)

		It("honours a fractional exp to the nanosecond", func() {
			now := env.Now()
			exp := float64(now.Unix()+60) + 0.5
			token := env.MintToken(mockclient.MintRequest{Claims: map[string]any{"exp": exp}})
			env.SetClock(time.Unix(now.Unix()+60, 0).Add(env.Leeway)) // half a second before exp + leeway
			check(env, token, "")
			env.Advance(500 * time.Millisecond)
			check(env, token, harness.ReasonExpired)
		})

		It("refuses the mock's expired preset", func() {
			check(env, env.MintToken(mockclient.MintRequest{Preset: "expired"}), harness.ReasonExpired)
		})
	})

	When("the token has nbf in the future", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

		DescribeTable("at nbf + offset",
			func(offset time.Duration, reason string) {
				token := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, NotBefore: mockclient.Offset(time.Minute)})
				env.SetClock(time.Unix(unixOf(token, "nbf"), 0).Add(offset))
				check(env, token, reason)
			},
			Entry("a minute before nbf: refused", -time.Minute, harness.ReasonNotYetValid),
			Entry("at nbf - 6 s: refused", -6*time.Second, harness.ReasonNotYetValid),
			Entry("at nbf - 5.001 s: refused", -5*time.Second-time.Millisecond, harness.ReasonNotYetValid),
			Entry("at nbf - 5 s (leeway): accepted, the bound is inclusive", -5*time.Second, ""),
			Entry("at nbf: accepted", time.Duration(0), ""),
		)

		It("is refused before nbf - leeway and accepted from then on", func(ctx SpecContext) {
			if env.Target == harness.External {
				// No shared clock: a token that becomes valid about 2 s from now in real time.
				token := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient,
					NotBefore: mockclient.Offset(env.Leeway + 2*time.Second)})
				acceptFrom := time.Unix(unixOf(token, "nbf"), 0).Add(-env.Leeway)
				check(env, token, harness.ReasonNotYetValid)
				Eventually(ctx, func() int { return env.StatusOf("/api/me", token) }).
					WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal(200))
				// A second for clock skew between this process and the API.
				Expect(time.Now()).To(BeTemporally(">=", acceptFrom.Add(-time.Second)), "accepted before nbf - leeway")
				check(env, token, "")
				return
			}
			token := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, NotBefore: mockclient.Offset(time.Minute)})
			env.SetClock(time.Unix(unixOf(token, "nbf"), 0).Add(-env.Leeway - time.Second))
			check(env, token, harness.ReasonNotYetValid)
			env.Advance(time.Second)
			check(env, token, "")
		})

		It("refuses the mock's not_yet_valid preset", func() {
			check(env, env.MintToken(mockclient.MintRequest{Preset: "not_yet_valid"}), harness.ReasonNotYetValid)
		})
	})

	When("the token has no exp", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{DetailAPI: true}) })

		It("refuses it", func() {
			check(env, env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, Preset: "missing_exp"}), harness.ReasonMissingExp)
		})

		It("refuses it even with a valid nbf and iat", func() {
			token := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, Claims: map[string]any{"exp": nil},
				NotBefore: mockclient.Offset(-time.Minute)})
			Expect(harness.Payload(token)).NotTo(HaveKey("exp"))
			check(env, token, harness.ReasonMissingExp)
		})
	})

	When("the leeway is configured", func() {
		DescribeTable("the exp and nbf boundaries move with it",
			func(o harness.Options, leeway time.Duration) {
				o.DetailAPI = true
				env = harness.Start(o)
				Expect(env.Leeway).To(Equal(leeway))
				now := env.Now()

				expiring := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, Expiry: mockclient.Offset(time.Minute)})
				env.SetClock(now.Add(time.Minute + leeway - time.Second))
				check(env, expiring, "")
				env.SetClock(now.Add(time.Minute + leeway))
				check(env, expiring, harness.ReasonExpired)

				env.SetClock(now)
				early := env.MintToken(mockclient.MintRequest{ClientID: harness.AdminClient, NotBefore: mockclient.Offset(time.Minute)})
				env.SetClock(now.Add(time.Minute - leeway - time.Second))
				check(env, early, harness.ReasonNotYetValid)
				env.SetClock(now.Add(time.Minute - leeway))
				check(env, early, "")
			},
			Entry("30 s", harness.Options{Leeway: 30 * time.Second}, 30*time.Second),
			Entry("none", harness.Options{NoLeeway: true}, time.Duration(0)),
			Entry("1 s", harness.Options{Leeway: time.Second}, time.Second),
		)
	})
})
