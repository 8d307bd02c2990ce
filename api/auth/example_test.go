package auth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/descope-harness/harness/api/auth"
)

// A service validates Descope session tokens on every request and requires
// the admin role on one route.
func Example() {
	v, err := auth.New(auth.Config{
		DiscoveryURL: "https://api.descope.com/P2abc/.well-known/openid-configuration",
		Audience:     "P2abc",
		Leeway:       10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v.Start(ctx) // loads keys in the background; Validate also tries once itself

	mux := http.NewServeMux()
	mux.Handle("/api/admin/stats", auth.RequireRole("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", c.Subject)
	})))
	_ = http.Handler(v.Middleware(mux)) // serve this
}
