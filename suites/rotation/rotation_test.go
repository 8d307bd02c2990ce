package rotation_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/suites/internal/harness"
)

var _ = Describe("Key rotation", Label("offline", "rotation"), func() {
	var env *harness.Env

	When("the issuer rotates its signing key once", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{}) })

		// Against external processes an earlier spec may have started the
		// cooldown: the API then refuses the new kid without a fetch until it
		// passes, and its first fetch after that is still the only one.
		It("signs new tokens with the new kid, which the API accepts after exactly one key-set fetch", func(ctx SpecContext) {
			before := env.Keys()
			env.ClearRequests()
			after := env.Rotate(1)
			Expect(after.Current).NotTo(Equal(before.Current))
			Expect(after.Published).To(ContainElements(before.Current, after.Current))

			token := env.Token(harness.AdminClient)
			Expect(harness.Header(token)).To(HaveKeyWithValue("kid", after.Current))
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", token)
			for range 5 {
				Expect(env.Get("/api/me", token).Status).To(Equal(200))
			}
			Expect(env.RequestCount(mockidp.EndpointJWKS)).To(Equal(1), "key-set fetches for one new kid")
			Expect(env.RequestCount(mockidp.EndpointDiscovery)).To(BeZero(), "discovery is not refetched")
		})

		It("keeps accepting tokens signed before the rotation", func(ctx SpecContext) {
			old := env.Token(harness.AdminClient)
			env.Rotate(1)
			Expect(env.Get("/api/me", old).Status).To(Equal(200))
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", env.Token(harness.AdminClient))
			Expect(env.Get("/api/me", old).Status).To(Equal(200), "after the API refetched the key set")
		})
	})

	When("the issuer keeps rotating", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{}) })

		It("accepts an old key's tokens for Keep rotations and refuses them after Keep+1, once the key set is refetched", func(ctx SpecContext) {
			old := env.Token(harness.AdminClient)
			oldKid := harness.Header(old)["kid"].(string)
			keep := env.Keys().Keep
			Expect(keep).To(BeNumerically(">", 0))

			// In-process one rotation at a time, each refetched; against
			// external processes each refetch waits out a real cooldown, so
			// the Keep rotations happen at once.
			steps := slices.Repeat([]int{1}, keep)
			if env.Target != harness.InProcess {
				steps = []int{keep}
			}
			done := 0
			for _, n := range steps {
				env.Rotate(n)
				done += n
				env.PassRefetchCooldown() // lets the new kid refetch the key set
				env.ExpectAcceptedAfterRefetch(ctx, "/api/me", env.Token(harness.AdminClient))
				Expect(env.Get("/api/me", old).Status).To(Equal(200), "old token after rotation %d of %d", done, keep)
			}
			Expect(env.Keys().Published).To(ContainElement(oldKid), "after Keep rotations")

			st := env.Rotate(1)
			Expect(st.Published).NotTo(ContainElement(oldKid), "after Keep+1 rotations")
			env.PassRefetchCooldown()
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", env.Token(harness.AdminClient))
			harness.ExpectInvalidToken(env.Get("/api/me", old))
		})
	})

	When("a key is revoked", func() {
		BeforeEach(func() { env = harness.Start(harness.Options{}) })

		It("refuses its tokens as soon as the API has refetched the key set", func(ctx SpecContext) {
			victim := env.Token(harness.AdminClient)
			kid := harness.Header(victim)["kid"].(string)
			Expect(env.Get("/api/me", victim).Status).To(Equal(200))

			env.ClearRequests()
			st := env.Revoke(kid) // the current key: the mock rotates first
			Expect(st.Published).NotTo(ContainElement(kid))
			Expect(st.Revoked).To(ContainElement(kid))
			env.PassRefetchCooldown()

			fresh := env.Token(harness.AdminClient)
			Expect(harness.Header(fresh)["kid"]).To(Equal(st.Current))
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", fresh) // the new kid makes the API refetch
			harness.ExpectInvalidToken(env.Get("/api/me", victim))
			Expect(env.RequestCount(mockidp.EndpointJWKS)).To(Equal(1))
		})

		It("refuses a revoked older key's tokens after the next refetch while newer keys keep working", func(ctx SpecContext) {
			victim := env.Token(harness.AdminClient)
			kid := harness.Header(victim)["kid"].(string)
			env.Rotate(1)
			survivor := env.Token(harness.AdminClient)
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", survivor)
			Expect(env.Get("/api/me", victim).Status).To(Equal(200), "before the revocation")

			env.Revoke(kid)
			env.Rotate(1)
			env.PassRefetchCooldown()
			env.ExpectAcceptedAfterRefetch(ctx, "/api/me", env.Token(harness.AdminClient))
			harness.ExpectInvalidToken(env.Get("/api/me", victim))
			Expect(env.Get("/api/me", survivor).Status).To(Equal(200))
		})
	})

	When("a new kid's miss arrives while a key-set fetch that began before its key existed is in flight", func() {
		It("still accepts the token once the cooldown has passed", func(ctx SpecContext) {
			const cooldown = time.Second
			held := newHeldTransport()
			DeferCleanup(held.Release)
			env = harness.Start(harness.Options{RefetchCooldown: cooldown, Transport: held})
			env.RequireInProcess("holds the in-process validator's key-set fetches and calls it directly")

			env.Rotate(1)
			env.Advance(cooldown)
			first := env.Token(harness.AdminClient)
			held.hold.Store(true)
			firstStatus := make(chan int, 1)
			go func() { firstStatus <- env.StatusOf("/api/me", first) }()
			Eventually(ctx, held.fetched).Should(Receive(), "the first kid's refetch reached the mock")

			// The refetch now in flight carries the key set without the next key.
			next := env.Rotate(1)
			env.Advance(cooldown)
			second := env.Token(harness.AdminClient)
			Expect(harness.Header(second)).To(HaveKeyWithValue("kid", next.Current))
			// The second token goes straight to the API's validator, with a
			// context that reports when it is first watched: a miss that
			// waits for the fetch in flight waits on its context's Done
			// channel too, so the fetch is released only once the second
			// miss is provably waiting for it.
			waiting := newWatchedContext(ctx)
			secondErr := make(chan error, 1)
			go func() {
				_, err := env.Validator.Validate(waiting, second)
				secondErr <- err
			}()
			Eventually(ctx, waiting.watched).Should(BeClosed(), "the second kid's miss waits for the fetch in flight")
			Expect(held.fetches.Load()).To(Equal(int64(1)), "the second miss joined the held fetch instead of starting one")
			held.Release()

			var got int
			Eventually(ctx, firstStatus).Should(Receive(&got))
			Expect(got).To(Equal(200), "the first new kid")
			var err error
			Eventually(ctx, secondErr).Should(Receive(&err))
			Expect(err).NotTo(HaveOccurred(),
				"a token of a published key, sent after the refetch cooldown, was rejected: its unknown-kid miss "+
					"shared a key-set fetch that started before the key was published")
		}, SpecTimeout(10*time.Second))
	})

	When("keys rotate every few milliseconds under steady concurrent requests", func() {
		const (
			cooldown = 100 * time.Millisecond
			period   = 5 * time.Millisecond
			workers  = 4
			// The run ends on counts, not on a wall-clock duration: at least
			// this many rotations and checked requests, however slow the
			// machine (the spec timeout bounds it).
			minRotations = 20
			minRequests  = 200
		)
		BeforeEach(func() { env = harness.Start(harness.Options{RefetchCooldown: cooldown}) })

		It("rejects no valid token", func(ctx SpecContext) {
			env.RequireInProcess(harness.SkipSharedClock)
			mock := env.InProcess
			// A kid is announced once its rotation and a clock step past the
			// refetch cooldown are both done; workers send a token only when
			// its kid is announced, so every token sent is one the API can
			// verify while its key is published. A loaded machine can let a
			// worker fall more than Keep rotations behind: a request whose
			// key may have left the key set before it was answered is
			// counted as stale, not checked. Key generation (after the 16
			// fixture keys) never blocks the workers: they keep using the
			// announced keys.
			keep := int64(mock.KeysState().Keep)
			announced := newAnnouncements()
			announced.announce(mock.Keys().Current().ID, 0)
			var rotations, requests, rejections, stale atomic.Int64
			var rejected sync.Map
			stop := make(chan struct{})
			var wg sync.WaitGroup

			wg.Go(func() {
				defer GinkgoRecover()
				tick := time.NewTicker(period)
				defer tick.Stop()
				for {
					if rotations.Load() >= minRotations && requests.Load() >= minRequests {
						close(stop)
						return
					}
					select {
					case <-ctx.Done():
						close(stop)
						return
					case <-tick.C:
					}
					if requests.Load() < rotations.Load()*(minRequests/minRotations) {
						continue // a slow machine: let the workers catch up first
					}
					Expect(mock.RotateKeys(1)).To(Succeed())
					kid := mock.Keys().Current().ID
					mock.Advance(cooldown)
					announced.announce(kid, rotations.Add(1))
				}
			})
			for range workers {
				wg.Go(func() {
					defer GinkgoRecover()
					for {
						select {
						case <-stop:
							return
						default:
						}
						token, err := mock.ClientToken(harness.AdminClient, "")
						Expect(err).NotTo(HaveOccurred())
						kid := harness.Header(token)["kid"].(string)
						var since int64 // the rotation that made kid current
						select {
						case <-announced.of(kid):
							since = announced.rotation(kid)
						case <-stop:
							return
						}
						status := env.StatusOf("/api/me", token)
						// rotations lags RotateKeys by at most one, so kid
						// was published throughout while this holds.
						if rotations.Load()-since >= keep {
							stale.Add(1)
							continue
						}
						requests.Add(1)
						if status != 200 {
							rejections.Add(1)
							rejected.Store(kid, status)
						}
					}
				})
			}
			wg.Wait()

			var kids []string
			rejected.Range(func(k, v any) bool { kids = append(kids, k.(string)); return true })
			slices.Sort(kids)
			AddReportEntry("rotation under load", map[string]int64{
				"rotations": rotations.Load(), "requests": requests.Load(), "rejections": rejections.Load(), "stale": stale.Load(),
			})
			GinkgoWriter.Printf("%d rotations, %d requests, %d rejections (kids %v), %d stale\n",
				rotations.Load(), requests.Load(), rejections.Load(), kids, stale.Load())
			Expect(rotations.Load()).To(BeNumerically(">=", minRotations), "rotations before the spec timed out")
			Expect(requests.Load()).To(BeNumerically(">=", minRequests), "checked requests before the spec timed out")
			Expect(rejections.Load()).To(BeZero(), "valid tokens rejected; kids %v", kids)
		}, SpecTimeout(30*time.Second))
	})
})
