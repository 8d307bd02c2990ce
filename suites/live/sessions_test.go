package live_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/drift"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// Descope's documented test-user flow against real Descope, the same flow
// suites/sessions runs against the mock. Without DESCOPE_MANAGEMENT_KEY
// (beside the live settings) every spec here is skipped naming what is
// missing. Each spec ends by deleting the project's test users, as Descope's
// CI guides do.

// liveLoginID is a fresh, unguessable test-user login ID.
func liveLoginID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "descope-harness-" + hex.EncodeToString(b[:]) + "@example.com"
}

var _ = Describe("Real Descope sessions", Label("live", "sessions"), func() {
	var (
		cfg harness.LiveConfig
		d   *harness.Descope
	)
	BeforeEach(func() {
		var key string
		cfg, key = harness.RequireLiveManagement()
		d = harness.LiveDescope(cfg, key)
		DeferCleanup(func() { d.DeleteAllTestUsers() })
	})

	It("create test user → OTP → verify → the API accepts the session → refresh → logout", func() {
		env := harness.StartLiveAPI(cfg)
		user, s := d.LoginTestUser(liveLoginID(), nil)
		Expect(harness.Payload(s.SessionJwt)).To(And(HaveKeyWithValue("drn", "DS"), HaveKeyWithValue("sub", user["userId"])))
		Expect(s.RefreshJwt).NotTo(BeEmpty(), "verify hands back a refresh JWT (body or DSR cookie)")
		Expect(harness.Payload(s.RefreshJwt)).To(HaveKeyWithValue("drn", "DSR"))
		resp := env.Get("/api/me", s.SessionJwt)
		Expect(resp.Status).To(Equal(200), "the API and a real session JWT: %s (aud %v)", resp, harness.Payload(s.SessionJwt)["aud"])

		refreshed := harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing")
		Expect(harness.Payload(refreshed.SessionJwt)).To(HaveKeyWithValue("sub", user["userId"]))
		me := d.Me(s.RefreshJwt)
		Expect(me.Status).To(Equal(200), "%s", me)
		Expect(me.JSON()).To(HaveKeyWithValue("userId", user["userId"]))

		Expect(d.Logout(s.RefreshJwt).Status).To(Equal(200))
		after := d.Refresh(s.RefreshJwt)
		AddReportEntry("refresh after logout on real Descope", after.String())
		Expect(after.Status).To(BeNumerically(">=", 400), "refresh after logout: %s", after)
	})

	It("the magic-link variant: generate a link, verify its token", func() {
		loginID := liveLoginID()
		user := d.CreateTestUser(loginID, nil)
		resp := d.GenerateMagicLink(loginID, "https://app.example.test/verify")
		Expect(resp.Status).To(Equal(200), "%s", resp)
		link, err := url.Parse(resp.JSON()["link"].(string))
		Expect(err).NotTo(HaveOccurred())
		s := harness.ExpectSession(d.VerifyMagicLink(link.Query().Get("t")), "verifying the magic link")
		Expect(harness.Payload(s.SessionJwt)).To(HaveKeyWithValue("sub", user["userId"]))
	})
})

// addSessionTokens fills the drift documents' session and refresh JWTs from
// one test-user login on each side, when DESCOPE_MANAGEMENT_KEY is set;
// without it the report covers the client-credentials surface only.
func addSessionTokens(mock, live *drift.Documents, cfg harness.LiveConfig, mockEnv *harness.Env) {
	GinkgoHelper()
	key := os.Getenv(harness.EnvDescopeManagementKey)
	if key == "" {
		GinkgoWriter.Println("no " + harness.EnvDescopeManagementKey + ": the drift report leaves out session and refresh JWTs")
		return
	}
	collectSessionTokens(live, harness.LiveDescope(cfg, key))
	collectSessionTokens(mock, mockEnv.DescopeAPI())
}

// collectSessionTokens logs a new test user in through d and puts its
// session and refresh JWTs' headers and claims into doc, then deletes the
// test users.
func collectSessionTokens(doc *drift.Documents, d *harness.Descope) {
	GinkgoHelper()
	_, s := d.LoginTestUser(liveLoginID(), nil)
	doc.SessionHeader, doc.SessionClaims = harness.Header(s.SessionJwt), harness.Payload(s.SessionJwt)
	doc.RefreshHeader, doc.RefreshClaims = harness.Header(s.RefreshJwt), harness.Payload(s.RefreshJwt)
	d.DeleteAllTestUsers()
}

var _ = Describe("The live session specs' machinery", Label("offline", "drift"), func() {
	It("collects session and refresh JWTs through the test-user flow and compares them", func() {
		env := harness.Start(harness.Options{})
		var a, b drift.Documents
		collectSessionTokens(&a, env.DescopeAPI())
		collectSessionTokens(&b, env.DescopeAPI())
		Expect(a.SessionClaims).To(HaveKeyWithValue("drn", "DS"))
		Expect(a.RefreshClaims).To(HaveKeyWithValue("drn", "DSR"))
		Expect(drift.Compare(a, b).Differences).To(BeEmpty(), "two logins of the same kind have the same shape")

		// A refresh JWT where the session JWT belongs: the report names drn's value.
		b.SessionClaims = b.RefreshClaims
		Expect(drift.Compare(a, b).Differences).To(ContainElement(
			drift.Difference{Area: "session claims", Item: "drn", Mock: "DS", Live: "DSR"}))
	})
})
