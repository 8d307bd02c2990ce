package mockclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
)

// A test drives a mock it reaches over HTTP: here one served on a loopback
// port in the same process; BaseURL could as well be a mockidp container's.
func Example() {
	mock, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs()})
	if err != nil {
		panic(err)
	}
	defer mock.Close()
	srv := httptest.NewServer(mock)
	defer srv.Close()

	ctx := context.Background()
	c := &mockclient.Client{BaseURL: srv.URL}

	// A token as the token endpoint issues it to a fixture client.
	tok, err := c.ClientCredentials(ctx, "admin-client", "admin-secret", "")
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.TokenType, strings.Count(tok.AccessToken, "."), tok.Scope)

	// Rotate the signing key, then revoke the key that signed the token.
	before, err := c.Keys(ctx)
	if err != nil {
		panic(err)
	}
	after, err := c.Rotate(ctx, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("new current key:", after.Current != before.Current)
	if _, err := c.Revoke(ctx, before.Current); err != nil {
		panic(err)
	}

	// A refusal by the mock is a *StatusError.
	_, err = c.Revoke(ctx, "no-such-kid")
	var se *mockclient.StatusError
	fmt.Println(errors.Is(err, mockclient.ErrStatus), errors.As(err, &se) && se.Status == 404)

	// What the mock received, per endpoint.
	n, err := c.RequestCount(ctx, "token")
	if err != nil {
		panic(err)
	}
	fmt.Println("token requests:", n)
	// Output:
	// Bearer 2 openid profile email
	// new current key: true
	// true true
	// token requests: 1
}
