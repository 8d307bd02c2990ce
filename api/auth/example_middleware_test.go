package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/descope-harness/harness/api/auth"
)

// The middleware answers a request without a token itself, with a 401, an
// RFC 6750 challenge and the default renderer's body; next never runs. (No key is
// needed to refuse it, so this example makes no network call.)
func ExampleValidator_Middleware() {
	v, err := auth.New(auth.Config{
		DiscoveryURL: "https://api.descope.com/P2abc/.well-known/openid-configuration",
		Audience:     "P2abc",
	})
	if err != nil {
		panic(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("not reached")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	fmt.Println(rec.Body.String())

	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 401 Bearer realm="api"
	// {"error":"invalid_request","error_description":"missing authorization header"}
	// 401 Bearer realm="api", error="invalid_request"
}

// Validate's failures wrap the package's sentinel errors: test them with
// errors.Is, and label logs and metrics with Reason.
func ExampleReason() {
	for _, err := range []error{
		fmt.Errorf("validating: %w", auth.ErrExpired),
		fmt.Errorf("validating: %w", auth.ErrUnknownKey),
		errors.New("disk full"),
	} {
		fmt.Println(auth.Reason(err), errors.Is(err, auth.ErrExpired))
	}
	// Output:
	// expired true
	// unknown_key false
	// internal false
}

// RequireScope, RequireRole and RequirePermission read the claims the
// middleware stored and answer 403 when a grant is missing.
func ExampleRequireScope() {
	h := auth.RequireScope("openid")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "data")
	}))
	for _, scopes := range [][]string{{"openid", "profile"}, {"profile"}} {
		req := httptest.NewRequest(http.MethodGet, "/api/data", nil)
		req = req.WithContext(auth.NewContext(req.Context(), &auth.Claims{Scopes: scopes}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
		if c := rec.Header().Get("WWW-Authenticate"); c != "" {
			fmt.Println(c)
		}
	}
	// Output:
	// 200 data
	// 403 {"error":"insufficient_scope","error_description":"missing required scope: openid"}
	// Bearer realm="api", error="insufficient_scope", scope="openid"
}

// A service renders refusals its own way (the validator has already set
// WWW-Authenticate) and counts them with its own metrics through the
// observer hook.
func ExampleErrorRenderer() {
	v, err := auth.New(auth.Config{
		DiscoveryURL: "https://api.descope.com/P2abc/.well-known/openid-configuration",
		Audience:     "P2abc",
		ErrorRenderer: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(auth.Status(err))
			fmt.Fprintln(w, "refused:", auth.Reason(err))
		},
		Observer: auth.Observer{Refused: func(reason string, _ error) { fmt.Println("counted", reason) }},
	})
	if err != nil {
		panic(err)
	}
	h := v.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { fmt.Println("not reached") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	fmt.Print(rec.Body.String())
	// Output:
	// counted missing_header
	// 401 Bearer realm="api"
	// refused: missing_header
}
