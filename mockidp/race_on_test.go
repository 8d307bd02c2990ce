//go:build race

package mockidp

// raceEnabled reports a race-detector build, whose shadow memory makes a
// process's resident size several times its Go heap.
const raceEnabled = true
