// Package packaging holds no code, only tests of how the harness is shipped:
// docker-compose.yml and the Dockerfiles are checked against what the
// binaries really read and serve, the compose wiring is proven by starting
// bin/mockidp and bin/api as plain processes with the environment the
// compose file gives each container, and scripts/run.sh (make run) is run,
// its printed commands executed and its Ctrl-C handling checked.
//
// None of it needs a Docker engine.
package packaging
