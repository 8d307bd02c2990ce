package faults_test

import (
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

const jwks = mockidp.EndpointJWKS

var _ = Describe("Provider faults", Label("offline", "faults"), func() {
	var env *harness.Env

	When("the key set misbehaves after the API has cached keys", func() {
		const httpTimeout = 200 * time.Millisecond
		var cached, fresh string
		BeforeEach(func() {
			o := harness.Options{}
			if harness.CurrentTarget() == harness.InProcess {
				o.HTTPTimeout = httpTimeout // a key set slower than this is a failed fetch
			}
			env = harness.Start(o)
			cached = env.Token(harness.AdminClient)
			Expect(env.Get("/api/me", cached).Status).To(Equal(200))
			env.Rotate(1)
			env.PassRefetchCooldown()
			fresh = env.Token(harness.AdminClient) // its kid makes the API refetch
		})

		// refetchFails asserts that the fresh kid is refused while the fault
		// lasts, until the API has fetched the faulty key set once (at once
		// in-process; against external processes once a cooldown an earlier
		// spec may have started has passed), and that fetch stalled no request.
		refetchFails := func() {
			GinkgoHelper()
			env.ClearRequests()
			var slowest time.Duration
			refused := func() int {
				started := time.Now()
				harness.ExpectInvalidToken(env.Get("/api/me", fresh))
				slowest = max(slowest, time.Since(started))
				return env.RequestCount(jwks)
			}
			if env.Target == harness.InProcess {
				refused()
				// The mock counts a request when it has answered it: a slow one after the API gave up.
				Eventually(func() int { return env.RequestCount(jwks) }).WithTimeout(5*time.Second).
					Should(Equal(1), "the refetch reached the faulty key set")
			} else {
				Eventually(refused).WithTimeout(env.RefetchCooldown+2*time.Second).WithPolling(100*time.Millisecond).
					Should(BeNumerically(">=", 1), "the refetch reached the faulty key set")
			}
			Expect(slowest).To(BeNumerically("<", 5*time.Second), "a faulty provider must not stall requests")
		}

		DescribeTable("cached keys keep serving; the new kid waits for a good key set",
			func(fault mockclient.Fault) {
				fault.Endpoint = jwks
				env.InjectFault(fault)
				refetchFails()
				Expect(env.Get("/api/me", cached).Status).To(Equal(200), "the cached key survived the failed refetch")

				env.ClearFaults()
				env.PassRefetchCooldown()
				env.ExpectAcceptedAfterRefetch("/api/me", fresh) // recovered on the next refetch
				Expect(env.Get("/api/me", cached).Status).To(Equal(200))
			},
			Entry("500", mockclient.Fault{Status: 500}),
			Entry("503 with Retry-After", mockclient.Fault{Status: 503, RetryAfter: 1}),
			Entry("404", mockclient.Fault{Status: 404}),
			Entry("empty key set", mockclient.Fault{EmptyKeys: true}),
			Entry("malformed JSON", mockclient.Fault{Malformed: true}),
		)

		It("keeps serving cached keys when the key set is slower than the API's HTTP timeout", func() {
			if env.HTTPTimeout > 2*time.Second {
				Skip("a key set slower than the API's provider timeout (" + env.HTTPTimeout.String() +
					") takes too long: set " + harness.EnvAPIProviderTimeout + " to 2s or less, or run in-process")
			}
			env.InjectFault(mockclient.Fault{Endpoint: jwks, Latency: mockidp.Duration(env.HTTPTimeout + 300*time.Millisecond)})
			refetchFails()
			Expect(env.Get("/api/me", cached).Status).To(Equal(200), "the cached key survived the timed-out refetch")

			env.ClearFaults()
			env.PassRefetchCooldown()
			env.ExpectAcceptedAfterRefetch("/api/me", fresh) // recovered on the next refetch
		})

		It("accepts the new kid when the key set is slow but within the HTTP timeout", func() {
			env.InjectFault(mockclient.Fault{Endpoint: jwks, Latency: mockidp.Duration(50 * time.Millisecond)})
			env.ExpectAcceptedAfterRefetch("/api/me", fresh)
			Expect(env.Get("/api/me", cached).Status).To(Equal(200))
		})

		It("honours 429 Retry-After: no key-set request until it has passed", func() {
			env.RequireInProcess(harness.SkipSharedClock)
			const retryAfter = 30 * time.Second
			env.InjectFault(mockclient.Fault{Endpoint: jwks, Status: 429, RetryAfter: int(retryAfter / time.Second), Count: 1})
			env.ClearRequests()

			harness.ExpectInvalidToken(env.Get("/api/me", fresh))
			Expect(env.RequestCount(jwks)).To(Equal(1))

			env.Advance(env.RefetchCooldown) // the cooldown is over, Retry-After is not
			harness.ExpectInvalidToken(env.Get("/api/me", fresh))
			Expect(env.RequestCount(jwks)).To(Equal(1), "a key-set request before Retry-After passed")
			Expect(env.Get("/api/me", cached).Status).To(Equal(200))

			env.Advance(retryAfter - env.RefetchCooldown)
			Expect(env.Get("/api/me", fresh).Status).To(Equal(200))
			Expect(env.RequestCount(jwks)).To(Equal(2))
		})

		It("does not need discovery again: a discovery outage after start changes nothing", func() {
			env.InjectFault(mockclient.Fault{Endpoint: mockidp.EndpointDiscovery, Status: 500})
			env.ClearRequests()
			env.ExpectAcceptedAfterRefetch("/api/me", fresh)
			Expect(env.Get("/api/me", cached).Status).To(Equal(200))
			Expect(env.RequestCount(mockidp.EndpointDiscovery)).To(BeZero())
		})
	})

	When("the provider is down at cold start", func() {
		DescribeTable("the API answers 503, then recovers without a restart",
			func(fault mockclient.Fault) {
				env = harness.Start(harness.Options{DiscoveryRetries: -1, ColdStart: []mockidp.Fault{fault}})
				token := env.Token(harness.AdminClient)
				harness.ExpectUnavailable(env.Get("/api/me", token))
				ready := env.Get("/ready", "")
				Expect(ready.Status).To(Equal(503), ready.String())
				Expect(env.Get("/health", "").Status).To(Equal(200), "liveness does not depend on the provider")

				env.ClearFaults()
				Eventually(func() int { return env.StatusOf("/api/me", token) }).
					WithTimeout(15 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal(200))
				Expect(env.Get("/ready", "").Status).To(Equal(200))
			},
			Entry("discovery 503", mockclient.Fault{Endpoint: mockidp.EndpointDiscovery, Status: 503}),
			Entry("discovery 500", mockclient.Fault{Endpoint: mockidp.EndpointDiscovery, Status: 500}),
			Entry("discovery malformed", mockclient.Fault{Endpoint: mockidp.EndpointDiscovery, Malformed: true}),
			Entry("key set 500", mockclient.Fault{Endpoint: jwks, Status: 500}),
			Entry("key set empty", mockclient.Fault{Endpoint: jwks, EmptyKeys: true}),
		)

		It("refuses bad tokens with 401, not 503, once keys are loaded", func() {
			env = harness.Start(harness.Options{DiscoveryRetries: -1,
				ColdStart: []mockidp.Fault{{Endpoint: mockidp.EndpointDiscovery, Status: 503, Count: 2}}})
			token := env.Token(harness.AdminClient)
			Eventually(func() int { return env.StatusOf("/api/me", token) }).
				WithTimeout(15 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal(200))
			harness.ExpectInvalidToken(env.Get("/api/me", "not.a.token"))
		})
	})

	When("a flood of unknown-kid tokens arrives", func() {
		const requests, workers = 200, 8
		BeforeEach(func() { env = harness.Start(harness.Options{}) })

		// flood sends requests tokens with distinct unknown kids from several
		// goroutines and expects every one refused.
		flood := func() {
			GinkgoHelper()
			issuer := harness.Payload(env.Token(harness.AdminClient))["iss"].(string)
			var wg sync.WaitGroup
			statuses := make(chan int, requests)
			for w := range workers {
				wg.Go(func() {
					for i := w; i < requests; i += workers {
						statuses <- env.StatusOf("/api/me", harness.UnknownKidToken(issuer))
					}
				})
			}
			wg.Wait()
			close(statuses)
			for s := range statuses {
				Expect(s).To(Equal(401))
			}
		}

		It("fetches the key set no more often than the refetch cooldown allows", func() {
			cached := env.Token(harness.AdminClient)
			if env.Target != harness.InProcess {
				// The cooldown runs in real time: a flood over a span T may
				// cause at most one fetch per cooldown begun within T.
				env.ClearRequests()
				started := time.Now()
				for range 3 {
					flood()
				}
				allowed := 1 + int(time.Since(started)/env.RefetchCooldown)
				Expect(env.RequestCount(jwks)).To(BeNumerically("<=", allowed), "fetches for %d unknown kids in %s",
					3*requests, time.Since(started))
				Expect(env.Get("/api/me", cached).Status).To(Equal(200))
				return
			}
			env.ClearRequests()

			flood()
			Expect(env.RequestCount(jwks)).To(Equal(1), "fetches for the first flood")
			env.Advance(env.RefetchCooldown - time.Second)
			flood()
			Expect(env.RequestCount(jwks)).To(Equal(1), "fetches inside the cooldown")
			env.Advance(time.Second)
			flood()
			Expect(env.RequestCount(jwks)).To(Equal(2), "fetches after the cooldown")
			Expect(env.RequestCount(mockidp.EndpointDiscovery)).To(BeZero())
			Expect(env.Get("/api/me", cached).Status).To(Equal(200))
		})
	})
})
