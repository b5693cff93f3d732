//go:build race

package server

// raceEnabled is set in race-detector builds, which the test suites use; see
// guardConn.release.
const raceEnabled = true
