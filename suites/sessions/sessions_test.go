package sessions_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// A user session as a service behind Descope's SDK middleware lives it: the
// browser holds a session JWT (DS) and a refresh JWT (DSR); the API accepts
// the session JWT until it expires; the middleware then calls
// POST /v1/auth/refresh with the refresh JWT and retries with the new
// session. Every spec logs in through Descope's documented test-user flow
// (create test user → generate OTP → verify) unless it needs a pair the
// control plane mints.

var loginSeq atomic.Int64

// newLoginID is a fresh test user's login ID (an email).
func newLoginID() string {
	return fmt.Sprintf("sessions-%d@example.com", loginSeq.Add(1))
}

// unix reads a NumericDate claim as whole seconds.
func unix(token, claim string) int64 {
	GinkgoHelper()
	v, ok := harness.Payload(token)[claim].(float64)
	Expect(ok).To(BeTrue(), "claim %s is a number", claim)
	return int64(v)
}

// expectAccepted asserts the API answers 200 to GET /api/claims with token
// and that the claims it saw name sub.
func expectAccepted(env *harness.Env, token, sub string) {
	GinkgoHelper()
	resp := env.Get("/api/claims", token)
	Expect(resp.Status).To(Equal(200), "GET /api/claims: %s", resp)
	Expect(resp.JSON()["claims"]).To(HaveKeyWithValue("sub", sub))
}

var _ = Describe("User sessions", Label("offline", "sessions"), func() {
	var (
		env *harness.Env
		d   *harness.Descope
	)
	BeforeEach(func() {
		env = harness.Start(harness.Options{})
		d = env.DescopeAPI()
	})

	When("the session JWT expires", func() {
		It("the API refuses it, and the refreshed session is accepted", func() {
			user, s := d.LoginTestUser(newLoginID(), nil)
			sub := user["userId"].(string)
			expectAccepted(env, s.SessionJwt, sub)

			expired := s
			if env.Target == harness.InProcess {
				env.SetClock(time.Unix(unix(s.SessionJwt, "exp"), 0).Add(env.Leeway))
			} else {
				// No shared clock: a pair whose session already expired, minted over the control plane.
				expired = env.MintSession(sub, harness.PresetExpiredSession)
			}
			harness.ExpectInvalidToken(env.Get("/api/me", expired.SessionJwt))

			refreshed := harness.ExpectSession(d.Refresh(expired.RefreshJwt), "refreshing")
			Expect(refreshed.SessionJwt).NotTo(Equal(expired.SessionJwt))
			Expect(harness.Payload(refreshed.SessionJwt)).To(And(HaveKeyWithValue("drn", "DS"), HaveKeyWithValue("sub", sub)))
			expectAccepted(env, refreshed.SessionJwt, sub)
		})
	})

	When("the refresh JWT expires", func() {
		It("refresh refuses it once its exp passes on the mock's clock, and not before", func() {
			// A one-hour refresh lifetime: with the default four weeks the
			// clock jump would also pass 28 daily key rotations, and the
			// refresh JWT's key would have left the key set (keep: 12).
			env = harness.Start(harness.Options{Project: harness.ProjectWith(func(p *mockidp.Project) {
				p.Sessions.RefreshTTL = mockidp.Duration(time.Hour)
			})})
			d = env.DescopeAPI()
			_, s := d.LoginTestUser(newLoginID(), nil)
			exp := time.Unix(unix(s.RefreshJwt, "exp"), 0)
			Expect(exp.Sub(env.Now())).To(Equal(time.Hour), "the project's refresh_ttl")
			env.SetClock(exp.Add(-time.Second))
			harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing a second before the refresh JWT expires")
			env.SetClock(exp)
			harness.ExpectDescopeError(d.Refresh(s.RefreshJwt), 401, harness.ErrorCodeInvalidToken)
		})

		It("refresh refuses a minted pair whose refresh JWT expired", func() {
			user, _ := d.LoginTestUser(newLoginID(), nil)
			pair := env.MintSession(user["userId"].(string), harness.PresetExpiredRefresh)
			harness.ExpectDescopeError(d.Refresh(pair.RefreshJwt), 401, harness.ErrorCodeInvalidToken)
		})
	})

	When("the user logs out", func() {
		It("refresh refuses the logged-out refresh JWT with Descope's E064001", func() {
			_, s := d.LoginTestUser(newLoginID(), nil)
			harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing before logout")
			resp := d.Logout(s.RefreshJwt)
			Expect(resp.Status).To(Equal(200), "logout: %s", resp)
			harness.ExpectDescopeError(d.Refresh(s.RefreshJwt), 401, harness.ErrorCodeLoggedOut)
			harness.ExpectDescopeError(d.Me(s.RefreshJwt), 401, harness.ErrorCodeLoggedOut)
		})

		It("logout leaves the user's other sessions alone; logout-all ends them", func() {
			loginID := newLoginID()
			_, first := d.LoginTestUser(loginID, nil)
			second := otpLogin(d, loginID)
			Expect(d.Logout(first.RefreshJwt).Status).To(Equal(200))
			harness.ExpectSession(d.Refresh(second.RefreshJwt), "refreshing the other session after logout")

			third := otpLogin(d, loginID)
			Expect(d.LogoutAll(third.RefreshJwt).Status).To(Equal(200))
			harness.ExpectDescopeError(d.Refresh(second.RefreshJwt), 401, harness.ErrorCodeLoggedOut)
			harness.ExpectDescopeError(d.Refresh(third.RefreshJwt), 401, harness.ErrorCodeLoggedOut)
		})

		It("refresh refuses the control plane's logged-out preset", func() {
			user, _ := d.LoginTestUser(newLoginID(), nil)
			pair := env.MintSession(user["userId"].(string), harness.PresetLoggedOut)
			harness.ExpectDescopeError(d.Refresh(pair.RefreshJwt), 401, harness.ErrorCodeLoggedOut)
		})
	})

	When("refresh JWTs rotate", func() {
		It("each refresh hands back a new refresh JWT, and the spent one is refused", func() {
			rotating := harness.Start(harness.Options{Project: harness.ProjectWith(func(p *mockidp.Project) {
				p.Sessions.RefreshRotation = true
			})})
			rd := rotating.DescopeAPI()
			user, s := rd.LoginTestUser(newLoginID(), nil)
			next := harness.ExpectSession(rd.Refresh(s.RefreshJwt), "first refresh")
			Expect(next.RefreshJwt).NotTo(BeEmpty(), "rotation hands back a refresh JWT")
			Expect(next.RefreshJwt).NotTo(Equal(s.RefreshJwt))
			expectAccepted(rotating, next.SessionJwt, user["userId"].(string))

			harness.ExpectDescopeError(rd.Refresh(s.RefreshJwt), 401, harness.ErrorCodeInvalidToken)
			harness.ExpectSession(rd.Refresh(next.RefreshJwt), "refreshing with the rotated refresh JWT")
		})

		It("without rotation the same refresh JWT refreshes again and again", func() {
			_, s := d.LoginTestUser(newLoginID(), nil)
			for i := range 3 {
				r := harness.ExpectSession(d.Refresh(s.RefreshJwt), fmt.Sprintf("refresh %d", i+1))
				Expect(r.RefreshJwt).To(BeEmpty(), "no refresh JWT in the answer without rotation")
			}
		})
	})

	When("the user selects a tenant", func() {
		It("the new session carries dct and the API grants that tenant's roles", func() {
			_, s := d.LoginTestUser(newLoginID(), map[string]any{"userTenants": []map[string]any{
				{"tenantId": harness.TenantAcme, "roleNames": []string{harness.RoleTenantAdmin}},
				{"tenantId": harness.TenantGlobex, "roleNames": []string{harness.RoleViewer}},
			}})
			Expect(harness.Payload(s.SessionJwt)).NotTo(HaveKey("dct"))
			Expect(createUser(env, s.SessionJwt).Status).To(Equal(403), "no tenant selected: no tenant permissions")

			acme := harness.ExpectSession(d.SelectTenant(s.RefreshJwt, harness.TenantAcme), "selecting Acme")
			Expect(harness.Payload(acme.SessionJwt)).To(HaveKeyWithValue("dct", harness.TenantAcme))
			Expect(createUser(env, acme.SessionJwt).Status).To(Equal(200), "Acme's tenant-admin grants users.create")
			tenants := env.Get("/api/descope/tenants", acme.SessionJwt).JSON()
			Expect(tenants).To(HaveKeyWithValue("current_tenant", harness.TenantAcme))
			Expect(env.Get("/api/descope/roles", acme.SessionJwt).JSON()["roles"]).To(ConsistOf(harness.RoleTenantAdmin))
			Expect(env.Get("/api/descope/permissions", acme.SessionJwt).JSON()["permissions"]).To(
				ConsistOf("users.create", "users.delete", "data.read"), "Acme's own tenant-admin role definition")

			Expect(acme.RefreshJwt).NotTo(BeEmpty(), "tenant select hands back a refresh JWT")
			globex := harness.ExpectSession(d.SelectTenant(acme.RefreshJwt, harness.TenantGlobex), "switching to Globex")
			Expect(harness.Payload(globex.SessionJwt)).To(HaveKeyWithValue("dct", harness.TenantGlobex))
			harness.ExpectForbidden(createUser(env, globex.SessionJwt), "Missing required Descope permission: users.create")
			Expect(env.Get("/api/descope/permissions", globex.SessionJwt).JSON()["permissions"]).To(ConsistOf("data.read"))

			// The tenant survives a refresh of the refresh JWT select handed back.
			refreshed := harness.ExpectSession(d.Refresh(globex.RefreshJwt), "refreshing after the switch")
			Expect(harness.Payload(refreshed.SessionJwt)).To(HaveKeyWithValue("dct", harness.TenantGlobex))
		})

		It("a tenant the user does not belong to is refused", func() {
			_, s := d.LoginTestUser(newLoginID(), map[string]any{"userTenants": []map[string]any{
				{"tenantId": harness.TenantAcme, "roleNames": []string{harness.RoleTenantAdmin}},
			}})
			resp := d.SelectTenant(s.RefreshJwt, harness.TenantGlobex)
			Expect(resp.Status).To(Equal(400), "%s", resp)
		})
	})

	When("a test user logs in as Descope documents for CI", func() {
		It("create → generate OTP → verify → call the API → delete all test users", func() {
			loginID := newLoginID()
			user := d.CreateTestUser(loginID, map[string]any{"name": "Flow Tester"})
			Expect(user).To(And(HaveKeyWithValue("test", true), HaveKeyWithValue("loginIds", ConsistOf(loginID))))
			otp := d.GenerateOTP(loginID)
			Expect(otp.Status).To(Equal(200), "%s", otp)
			code := otp.JSON()["code"].(string)
			Expect(otp.JSON()).To(HaveKeyWithValue("loginId", loginID))

			s := harness.ExpectSession(d.VerifyOTP(loginID, code), "verifying the OTP")
			Expect(s.RefreshJwt).NotTo(BeEmpty())
			claims := harness.Payload(s.SessionJwt)
			Expect(claims).To(And(HaveKeyWithValue("drn", "DS"), HaveKeyWithValue("tu", true),
				HaveKeyWithValue("sub", user["userId"]), HaveKeyWithValue("amr", ConsistOf("email"))))
			Expect(harness.Payload(s.RefreshJwt)).To(HaveKeyWithValue("drn", "DSR"))
			Expect(s.User).To(HaveKeyWithValue("userId", user["userId"]))
			me := env.Get("/api/me", s.SessionJwt)
			Expect(me.Status).To(Equal(200), "%s", me)

			harness.ExpectDescopeError(d.VerifyOTP(loginID, code), 401, harness.ErrorCodeInvalidToken) // a code works once
			fresh := d.GenerateOTP(loginID).JSON()["code"].(string)
			wrong := "000000"
			if fresh == wrong {
				wrong = "111111"
			}
			harness.ExpectDescopeError(d.VerifyOTP(loginID, wrong), 401, harness.ErrorCodeWrongCode)
			harness.ExpectSession(d.VerifyOTP(loginID, fresh), "the right code after a wrong one")

			d.DeleteAllTestUsers()
			Expect(d.LoadUser(loginID).Status).To(Equal(400), "the test user is gone")
			Expect(d.GenerateOTP(loginID).Status).To(Equal(400), "no OTP for a deleted test user")
		})

		It("the Cypress guide's form: POST /v1/mgmt/user/create with test:true makes a test user", func() {
			loginID := newLoginID()
			resp := d.Call("POST", "/v1/mgmt/user/create", d.ManagementKey,
				map[string]any{"loginId": loginID, "email": loginID, "test": true})
			Expect(resp.Status).To(Equal(200), "%s", resp)
			Expect(resp.JSON()["user"]).To(HaveKeyWithValue("test", true))
			s := otpLogin(d, loginID)
			Expect(harness.Payload(s.SessionJwt)).To(HaveKeyWithValue("tu", true))

			// Without test:true the user is an ordinary one: no generated OTP.
			plain := newLoginID()
			Expect(d.Call("POST", "/v1/mgmt/user/create", d.ManagementKey, map[string]any{"loginId": plain, "email": plain}).Status).To(Equal(200))
			Expect(d.GenerateOTP(plain).Status).To(Equal(400), "test OTPs are for test users only")
		})

		It("the magic-link variant: generate a link, verify its token, call the API", func() {
			loginID := newLoginID()
			user := d.CreateTestUser(loginID, nil)
			resp := d.GenerateMagicLink(loginID, "https://app.example.test/verify")
			Expect(resp.Status).To(Equal(200), "%s", resp)
			link, err := url.Parse(resp.JSON()["link"].(string))
			Expect(err).NotTo(HaveOccurred())
			Expect(link.Host).To(Equal("app.example.test"), "the link goes to the URI the SDK sent")
			token := link.Query().Get("t")
			Expect(token).NotTo(BeEmpty(), "the token is the link's t parameter")

			s := harness.ExpectSession(d.VerifyMagicLink(token), "verifying the magic link")
			expectAccepted(env, s.SessionJwt, user["userId"].(string))
			Expect(d.VerifyMagicLink(token).Status).To(Equal(401), "a magic-link token works once")
			d.DeleteAllTestUsers()
		})
	})

	When("a test user logs in with an enchanted link", func() {
		It("the pending session is refused until the link is verified, then answered once", func() {
			loginID := newLoginID()
			user := d.CreateTestUser(loginID, nil)
			resp := d.Call("POST", "/v1/mgmt/tests/generate/enchantedlink", d.ManagementKey,
				map[string]any{"loginId": loginID, "URI": "https://app.example.test/verify"})
			Expect(resp.Status).To(Equal(200), "%s", resp)
			ref, _ := resp.JSON()["pendingRef"].(string)
			Expect(ref).NotTo(BeEmpty())
			link, err := url.Parse(resp.JSON()["link"].(string))
			Expect(err).NotTo(HaveOccurred())

			pending := func() *harness.Response {
				GinkgoHelper()
				return d.Call("POST", "/v1/auth/enchantedlink/pending-session", "", map[string]any{"pendingRef": ref})
			}
			harness.ExpectDescopeError(pending(), 401, mockidp.CodePendingLink)
			Expect(d.Call("POST", "/v1/auth/enchantedlink/verify", "", map[string]any{"token": link.Query().Get("t")}).Status).To(Equal(200))
			s := harness.ExpectSession(pending(), "polling the pending session after the link was verified")
			expectAccepted(env, s.SessionJwt, user["userId"].(string))
			Expect(pending().Status).To(Equal(401), "the pending session is answered once")
		})
	})

	When("the project answers with cookies (token_response: cookies)", func() {
		It("login and refresh hand the JWTs over as HttpOnly Set-Cookie DS and DSR only, and the refreshed session is accepted", func() {
			cookies := harness.Start(harness.Options{Project: harness.ProjectWith(func(p *mockidp.Project) {
				p.Sessions.TokenResponse = mockidp.TokenResponseCookies
			})})
			cd := cookies.DescopeAPI()
			loginID := newLoginID()
			user := cd.CreateTestUser(loginID, nil)
			verify := cd.VerifyOTP(loginID, cd.GenerateOTP(loginID).JSON()["code"].(string))
			Expect(verify.JSON()).NotTo(HaveKey("refreshJwt"), "the refresh JWT leaves the body")
			dsr := cookieNamed(verify, "DSR")
			Expect(dsr.HttpOnly).To(BeTrue(), "DSR is HttpOnly")
			Expect(dsr.Value).To(HavePrefix("ey"))
			Expect(verify.JSON()).NotTo(HaveKey("sessionJwt"), "the session JWT leaves the body too, as on Descope")
			Expect(cookieNamed(verify, "DS").HttpOnly).To(BeTrue(), "DS is HttpOnly")

			refreshed := harness.ExpectSession(cd.Refresh(dsr.Value), "refreshing with the DSR cookie's value")
			expectAccepted(cookies, refreshed.SessionJwt, user["userId"].(string))
		})
	})

	When("a session names another project", func() {
		It("the API refuses the wrong_project preset, as the Descope SDKs do", func() {
			user, _ := d.LoginTestUser(newLoginID(), nil)
			pair := env.MintSession(user["userId"].(string), harness.PresetWrongProject)
			harness.ExpectInvalidToken(env.Get("/api/me", pair.SessionJwt))
		})
	})
})

// cookieNamed is the Set-Cookie of resp named name, failing the spec when there is none.
func cookieNamed(resp *harness.Response, name string) *http.Cookie {
	GinkgoHelper()
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	Fail(fmt.Sprintf("no %s cookie in %v", name, resp.Header.Values("Set-Cookie")))
	return nil
}

// createUser is POST /api/users, which needs the users.create permission.
func createUser(env *harness.Env, token string) *harness.Response {
	GinkgoHelper()
	return env.Do(harness.Request{Method: "POST", Path: "/api/users?name=Ann&email=ann@example.com", Token: token})
}

// otpLogin logs an existing test user in once more (a second device).
func otpLogin(d *harness.Descope, loginID string) harness.Session {
	GinkgoHelper()
	otp := d.GenerateOTP(loginID)
	Expect(otp.Status).To(Equal(200), "%s", otp)
	return harness.ExpectSession(d.VerifyOTP(loginID, otp.JSON()["code"].(string)), "verifying a second OTP")
}
