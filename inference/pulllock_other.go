//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package inference

import "os"

// tryLockFile does not lock where flock is missing (Windows among them):
// concurrent pulls of one URL there are not kept apart.
func tryLockFile(*os.File) (bool, error) { return true, nil }
