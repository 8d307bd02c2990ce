package sessions_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// What a backend's management calls at run time do to its users' sessions:
// Descope applies a change at the user's next refresh, never to a session
// JWT already issued.

var _ = Describe("Management changes and sessions", Label("offline", "sessions", "management"), func() {
	var (
		env *harness.Env
		d   *harness.Descope
	)
	BeforeEach(func() {
		env = harness.Start(harness.Options{})
		d = env.DescopeAPI()
	})

	// mgmt calls a management write and expects a 200.
	mgmt := func(path string, body map[string]any) map[string]any {
		GinkgoHelper()
		resp := d.Call(http.MethodPost, path, d.ManagementKey, body)
		Expect(resp.Status).To(Equal(http.StatusOK), "%s: %s", path, resp)
		return resp.JSON()
	}

	When("a user's roles change", func() {
		It("a role change shows in the next refresh, not in the session JWT already issued", func() {
			loginID := newLoginID()
			user, s := d.LoginTestUser(loginID, map[string]any{"roleNames": []string{"user"}})
			Expect(harness.Payload(s.SessionJwt)["roles"]).To(ConsistOf("user"))

			mgmt("/v2/mgmt/user/update/role/add", map[string]any{"loginId": loginID, "roleNames": []string{"admin"}})
			refreshed := harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing after the role change")
			Expect(harness.Payload(refreshed.SessionJwt)["roles"]).To(ConsistOf("user", "admin"))
			Expect(harness.Payload(refreshed.SessionJwt)["permissions"]).To(ContainElement("users.delete"))
			Expect(harness.Payload(s.SessionJwt)["roles"]).To(ConsistOf("user"), "the session JWT issued before keeps its claims")
			expectAccepted(env, refreshed.SessionJwt, user["userId"].(string))

			mgmt("/v1/mgmt/user/update/role/remove", map[string]any{"loginId": loginID, "roleNames": []string{"admin"}})
			again := harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing after the role removal")
			Expect(harness.Payload(again.SessionJwt)["roles"]).To(ConsistOf("user"))
		})

		It("a role's new permissions and its deletion show in the next refresh", func() {
			loginID := newLoginID()
			_, s := d.LoginTestUser(loginID, nil)
			mgmt("/v1/mgmt/permission/create", map[string]any{"name": "reports.view"})
			mgmt("/v1/mgmt/role/create", map[string]any{"name": "analyst", "permissionNames": []string{"reports.view"}})
			mgmt("/v2/mgmt/user/update/role/add", map[string]any{"loginId": loginID, "roleNames": []string{"analyst"}})
			Expect(harness.Payload(harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing").SessionJwt)["permissions"]).
				To(ContainElement("reports.view"))
			mgmt("/v1/mgmt/role/delete", map[string]any{"name": "analyst"})
			Expect(harness.Payload(harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing").SessionJwt)).NotTo(HaveKey("permissions"))
		})
	})

	When("a user is disabled", func() {
		It("a disabled user's refresh is refused, and enabling it needs a new login", func() {
			loginID := newLoginID()
			_, s := d.LoginTestUser(loginID, nil)
			harness.ExpectSession(d.Refresh(s.RefreshJwt), "refreshing before")
			mgmt("/v1/mgmt/user/update/status", map[string]any{"loginId": loginID, "status": "disabled"})
			harness.ExpectDescopeError(d.Refresh(s.RefreshJwt), http.StatusUnauthorized, mockidp.CodeUserDisabled)
			otp := d.GenerateOTP(loginID)
			Expect(otp.Status).To(Equal(http.StatusOK), "generating an OTP: %s", otp)
			code, _ := otp.JSON()["code"].(string)
			harness.ExpectDescopeError(d.VerifyOTP(loginID, code), http.StatusUnauthorized, mockidp.CodeUserDisabled)

			mgmt("/v1/mgmt/user/update/status", map[string]any{"loginId": loginID, "status": "enabled"})
			harness.ExpectDescopeError(d.Refresh(s.RefreshJwt), http.StatusUnauthorized, harness.ErrorCodeLoggedOut)
			_, fresh := d.LoginTestUser(newLoginID(), nil)
			harness.ExpectSession(d.Refresh(fresh.RefreshJwt), "a new login refreshes")
		})
	})
})
