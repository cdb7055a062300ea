//go:build !race

package local

// raceEnabled: the race detector makes the heavy tests several times
// slower, so they use smaller pages under it.
const raceEnabled = false
