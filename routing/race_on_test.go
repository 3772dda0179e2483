//go:build race

package routing

// raceEnabled: the race detector slows inference about tenfold, so load
// tests shrink to stay meaningful rather than time out.
const raceEnabled = true
