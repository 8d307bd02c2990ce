package mockidp

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/descope-harness/harness/mockidp/project"
)

// signInRequest is the body of a sign-in or sign-up start (wire type;
// core-js-sdk src/sdk/otp, magicLink, enchantedLink and password: loginId,
// URI, user, loginOptions, providerId, password).
type signInRequest struct {
	LoginID      string        `json:"loginId"`
	URI          string        `json:"URI"`
	RedirectURL  string        `json:"redirectUrl"`
	User         *signUpUser   `json:"user"`
	LoginOptions *loginOptions `json:"loginOptions"`
	ProviderID   string        `json:"providerId"`
	Password     string        `json:"password"`
	// customBytes is the size of LoginOptions.CustomClaims as JSON.
	customBytes int
}

// signUpUser is the user of a sign-up (core-js-sdk types.ts User).
type signUpUser struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	GivenName  string `json:"givenName"`
	MiddleName string `json:"middleName"`
	FamilyName string `json:"familyName"`
	Phone      string `json:"phone"`
}

// loginOptions are core-js-sdk's LoginOptions and SignUpOptions.
type loginOptions struct {
	Stepup              bool              `json:"stepup"`
	MFA                 bool              `json:"mfa"`
	RevokeOtherSessions bool              `json:"revokeOtherSessions"`
	CustomClaims        map[string]any    `json:"customClaims"`
	TemplateID          string            `json:"templateId"`
	TemplateOptions     map[string]string `json:"templateOptions"`
	TenantID            string            `json:"tenantId"`
}

// Bounds of a sign-in request's fields.
const (
	maxURILen        = 2048
	maxUserFieldLen  = 256
	maxPasswordBytes = 256
)

// parseSignIn decodes and checks a sign-in start body (the fuzzed parser):
// every refusal is a 400 naming the field.
func parseSignIn(body []byte) (signInRequest, error) {
	var req signInRequest
	if err := decodeDescopeBody(body, &req); err != nil {
		return signInRequest{}, err
	}
	if req.LoginID == "" {
		return signInRequest{}, missingArgument("loginId")
	}
	if err := checkText("loginId", req.LoginID, project.MaxLoginIDLen); err != nil {
		return signInRequest{}, err
	}
	for _, f := range []struct{ name, v string }{{"URI", req.URI}, {"redirectUrl", req.RedirectURL}} {
		if f.v == "" {
			continue
		}
		if len(f.v) > maxURILen {
			return signInRequest{}, invalidArgument("%s is %d bytes, over the limit of %d", f.name, len(f.v), maxURILen)
		}
		u, err := url.Parse(f.v)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return signInRequest{}, invalidArgument("%s %q is not an absolute http(s) URL", f.name, truncate(f.v, 128))
		}
	}
	if u := req.User; u != nil {
		for _, f := range []struct{ name, v string }{{"user.email", u.Email}, {"user.name", u.Name}, {"user.givenName", u.GivenName},
			{"user.middleName", u.MiddleName}, {"user.familyName", u.FamilyName}, {"user.phone", u.Phone}} {
			if err := checkText(f.name, f.v, maxUserFieldLen); err != nil {
				return signInRequest{}, err
			}
		}
		if u.Email != "" && !looksLikeEmail(u.Email) {
			return signInRequest{}, invalidArgument("user.email %q is not an email address", truncate(u.Email, 64))
		}
		if u.Phone != "" && !looksLikePhone(u.Phone) {
			return signInRequest{}, invalidArgument("user.phone %q is not a phone number in E.164 form (+ and 6 to 15 digits)", truncate(u.Phone, 64))
		}
	}
	if len(req.Password) > maxPasswordBytes {
		return signInRequest{}, invalidArgument("password is %d bytes, over the limit of %d", len(req.Password), maxPasswordBytes)
	}
	if o := req.LoginOptions; o != nil {
		if k := reservedCustomClaim(o.CustomClaims); k != "" {
			return signInRequest{}, invalidArgument("loginOptions.customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
		}
		if len(o.CustomClaims) > 0 {
			b, err := json.Marshal(o.CustomClaims)
			if err != nil {
				return signInRequest{}, invalidArgument("loginOptions.customClaims cannot be encoded: %v", err)
			}
			if len(b) > MaxClaimsBytes {
				return signInRequest{}, invalidArgument("loginOptions.customClaims is %d bytes as JSON, over the limit of %d (MaxClaimsBytes)", len(b), MaxClaimsBytes)
			}
			req.customBytes = len(b)
		}
		if err := checkText("loginOptions.tenantId", o.TenantID, 128); err != nil {
			return signInRequest{}, err
		}
	}
	return req, nil
}

// checkText refuses a field longer than max bytes, not UTF-8, or holding
// control characters.
func checkText(field, v string, max int) error {
	if len(v) > max {
		return invalidArgument("%s is %d bytes, over the limit of %d", field, len(v), max)
	}
	if !utf8.ValidString(v) {
		return invalidArgument("%s is not valid UTF-8", field)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return invalidArgument("%s holds a control character", field)
	}
	return nil
}

// looksLikeEmail: something@domain, with no spaces.
func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t")
}

// looksLikePhone: "+" and 6 to 15 digits (E.164).
func looksLikePhone(s string) bool {
	if len(s) < 7 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maskEmail shows the first character of the local part and the domain:
// "a***@example.com" (Descope's exact masking is not in the SDKs; mock's
// choice).
func maskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(email)
	return string(first) + "***" + email[at:]
}

// maskPhone shows the last four digits: "+*******4567" (mock's choice).
func maskPhone(phone string) string {
	if len(phone) <= 4 {
		return strings.Repeat("*", len(phone))
	}
	return "+" + strings.Repeat("*", len(phone)-5) + phone[len(phone)-4:]
}
