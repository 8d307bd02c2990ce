package harness

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported
)

// Descope calls Descope's own HTTP API (/v1/auth, /v1/mgmt), on the mock or
// on real Descope, as the Descope SDKs do: every call is authorized with
// "Authorization: Bearer {projectId}[:{secret}]", where the secret is a
// refresh JWT on the auth calls that take one and a management key on
// management calls (go-sdk descope/api/client.go joins the bearer parts
// with ":"). It is deliberately
// a plain wire client, not a Descope SDK, so a spec sees every status and
// body.
type Descope struct {
	// BaseURL is the API's base URL: the mock's, or https://api.descope.com.
	BaseURL string
	// ProjectID is the first Bearer part.
	ProjectID string
	// ManagementKey is the secret of management calls.
	ManagementKey string

	http *http.Client
}

// DescopeAPI is the Descope API of the Env's mock, with the default project's management key.
func (e *Env) DescopeAPI() *Descope {
	GinkgoHelper()
	Expect(e.Mock).NotTo(BeNil(), "the live target has no mock")
	return &Descope{BaseURL: e.Mock.BaseURL, ProjectID: ProjectID, ManagementKey: FixtureManagementKey,
		http: &http.Client{Timeout: 10 * time.Second, Transport: e.MockHTTP.Transport}}
}

// LiveDescope is real Descope's API for the live project (management key from DESCOPE_MANAGEMENT_KEY).
func LiveDescope(cfg LiveConfig, managementKey string) *Descope {
	return &Descope{BaseURL: cfg.BaseURL, ProjectID: cfg.ProjectID, ManagementKey: managementKey,
		http: &http.Client{Timeout: 30 * time.Second}}
}

// Call sends method path with the Bearer secret ("" for the project ID
// alone) and a JSON body (nil for none), and reads the whole answer; a
// transport error fails the spec.
func (d *Descope) Call(method, path, secret string, body any) *Response {
	GinkgoHelper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		expectOK(err, "encoding the body of "+path)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(d.BaseURL, "/")+path, rd)
	expectOK(err, method+" "+path)
	bearer := d.ProjectID
	if secret != "" {
		bearer += ":" + secret
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(req)
	expectOK(err, method+" "+path)
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	expectOK(err, "reading the answer to "+method+" "+path)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Session is a JWTResponse: what verify, refresh and tenant select return
// (the fields the Descope SDKs read), with the session and refresh JWTs
// taken from the body or, when the project answers with cookies, from the
// DS and DSR Set-Cookie headers.
type Session struct {
	SessionJwt       string         `json:"sessionJwt"`
	RefreshJwt       string         `json:"refreshJwt"`
	CookieDomain     string         `json:"cookieDomain"`
	CookiePath       string         `json:"cookiePath"`
	CookieMaxAge     int            `json:"cookieMaxAge"`
	CookieExpiration int64          `json:"cookieExpiration"`
	User             map[string]any `json:"user"`
	FirstSeen        bool           `json:"firstSeen"`
}

// ExpectSession asserts a 200 JWTResponse carrying a session JWT and returns it.
func ExpectSession(resp *Response, what string) Session {
	GinkgoHelper()
	Expect(resp.Status).To(Equal(http.StatusOK), "%s: %s", what, resp)
	var s Session
	Expect(json.Unmarshal(resp.Body, &s)).To(Succeed(), "%s: the body is a JWTResponse: %s", what, resp.Body)
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		switch {
		case c.Name == "DS" && s.SessionJwt == "":
			s.SessionJwt = c.Value
		case c.Name == "DSR" && s.RefreshJwt == "":
			s.RefreshJwt = c.Value
		}
	}
	Expect(s.SessionJwt).NotTo(BeEmpty(), "%s: no session JWT in the body or a DS cookie", what)
	return s
}

// ExpectDescopeError asserts a Descope error answer: status and errorCode.
func ExpectDescopeError(resp *Response, status int, errorCode string) {
	GinkgoHelper()
	Expect(resp.Status).To(Equal(status), "%s", resp)
	Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"), "Content-Type of %s", resp)
	body := resp.JSON()
	Expect(body).To(HaveKeyWithValue("errorCode", errorCode), "%s", resp)
	Expect(body).To(HaveKeyWithValue("errorDescription", Not(BeEmpty())), "%s", resp)
}

// Refresh is POST /v1/auth/refresh with refreshJwt, body {} as the Node and Python SDKs send it.
func (d *Descope) Refresh(refreshJwt string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/refresh", refreshJwt, map[string]any{})
}

// Logout is POST /v1/auth/logout with refreshJwt.
func (d *Descope) Logout(refreshJwt string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/logout", refreshJwt, map[string]any{})
}

// LogoutAll is POST /v1/auth/logoutall with refreshJwt: every session of the user ends.
func (d *Descope) LogoutAll(refreshJwt string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/logoutall", refreshJwt, map[string]any{})
}

// SelectTenant is POST /v1/auth/tenant/select {"tenant":…} with refreshJwt.
func (d *Descope) SelectTenant(refreshJwt, tenant string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/tenant/select", refreshJwt, map[string]any{"tenant": tenant})
}

// Me is GET /v1/auth/me with refreshJwt.
func (d *Descope) Me(refreshJwt string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodGet, "/v1/auth/me", refreshJwt, nil)
}

// CreateTestUser is POST /v1/mgmt/user/create/test for loginID (its email
// too), with extra fields (userTenants, roleNames, name...) merged in; it
// returns the created user (the answer's "user").
func (d *Descope) CreateTestUser(loginID string, extra map[string]any) map[string]any {
	GinkgoHelper()
	body := map[string]any{"loginId": loginID, "email": loginID, "verifiedEmail": true}
	for k, v := range extra {
		body[k] = v
	}
	resp := d.Call(http.MethodPost, "/v1/mgmt/user/create/test", d.ManagementKey, body)
	Expect(resp.Status).To(Equal(http.StatusOK), "creating test user %s: %s", loginID, resp)
	user, ok := resp.JSON()["user"].(map[string]any)
	Expect(ok).To(BeTrue(), "the create answer has a user object: %s", resp.Body)
	return user
}

// GenerateOTP is POST /v1/mgmt/tests/generate/otp for a test user's email.
func (d *Descope) GenerateOTP(loginID string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/mgmt/tests/generate/otp", d.ManagementKey,
		map[string]any{"loginId": loginID, "deliveryMethod": "email"})
}

// GenerateMagicLink is POST /v1/mgmt/tests/generate/magiclink with the
// redirect URI in the "URI" field, as every Descope SDK sends it.
func (d *Descope) GenerateMagicLink(loginID, uri string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/mgmt/tests/generate/magiclink", d.ManagementKey,
		map[string]any{"loginId": loginID, "deliveryMethod": "email", "URI": uri})
}

// VerifyOTP is POST /v1/auth/otp/verify/email {"loginId","code"}.
func (d *Descope) VerifyOTP(loginID, code string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/otp/verify/email", "", map[string]any{"loginId": loginID, "code": code})
}

// VerifyMagicLink is POST /v1/auth/magiclink/verify {"token"}.
func (d *Descope) VerifyMagicLink(token string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodPost, "/v1/auth/magiclink/verify", "", map[string]any{"token": token})
}

// DeleteAllTestUsers is DELETE /v1/mgmt/user/test/delete/all.
func (d *Descope) DeleteAllTestUsers() {
	GinkgoHelper()
	resp := d.Call(http.MethodDelete, "/v1/mgmt/user/test/delete/all", d.ManagementKey, nil)
	Expect(resp.Status).To(Equal(http.StatusOK), "deleting all test users: %s", resp)
}

// LoadUser is GET /v1/mgmt/user?loginId=….
func (d *Descope) LoadUser(loginID string) *Response {
	GinkgoHelper()
	return d.Call(http.MethodGet, "/v1/mgmt/user?loginId="+url.QueryEscape(loginID), d.ManagementKey, nil)
}

// LoginTestUser is Descope's documented test-user flow up to the session:
// create a test user, generate an OTP for its email, verify it.
func (d *Descope) LoginTestUser(loginID string, extra map[string]any) (user map[string]any, s Session) {
	GinkgoHelper()
	user = d.CreateTestUser(loginID, extra)
	otp := d.GenerateOTP(loginID)
	Expect(otp.Status).To(Equal(http.StatusOK), "generating an OTP: %s", otp)
	code, ok := otp.JSON()["code"].(string)
	Expect(ok).To(BeTrue(), "the OTP answer has a code: %s", otp.Body)
	s = ExpectSession(d.VerifyOTP(loginID, code), "verifying the OTP")
	GinkgoWriter.Printf("test user %s (%v) logged in\n", loginID, user["userId"])
	return user, s
}

// EnvDescopeManagementKey is the live project's management key: with it
// (and the live settings of Live) the live session specs run Descope's
// test-user flow against real Descope.
const EnvDescopeManagementKey = "DESCOPE_MANAGEMENT_KEY"

// RequireLiveManagement returns the live configuration and management key,
// or skips the spec naming every missing variable.
func RequireLiveManagement() (LiveConfig, string) {
	GinkgoHelper()
	cfg, missing := Live(nil)
	key := os.Getenv(EnvDescopeManagementKey)
	if key == "" {
		if missing == "" {
			missing = "live session specs need a management key: set " + EnvDescopeManagementKey
		} else {
			missing += "; and " + EnvDescopeManagementKey + " for the session specs"
		}
	}
	if missing != "" {
		Skip(missing)
	}
	return cfg, key
}
