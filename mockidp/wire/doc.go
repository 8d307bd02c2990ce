// Package wire holds the bodies the mock sends and receives: the Descope
// error body, the Descope and OAuth response bodies, and the requests and
// answers of the /_mock/ control plane. The server (package mockidp) and
// its HTTP client (package mockclient) share them, so a body means the same
// in Go and on the wire, and a client links neither the server nor its
// dependencies (Prometheus, go-jose). Wire types hold no behaviour beyond
// their JSON encoding.
package wire
