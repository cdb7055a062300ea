//go:build windows

package browser

import "os"

// On Windows a process that has exited cannot be signalled; FindProcess
// already failed for it, so a live handle is taken as alive.
func signalZero(*os.Process) error { return nil }
