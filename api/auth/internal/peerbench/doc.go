// Package peerbench holds only a benchmark (peers_test.go): api/auth
// against the libraries a Go service would pick instead, and against the
// physical limit of one RSA verification per token. The peer libraries are
// test-only dependencies; api/auth imports none of them.
package peerbench
