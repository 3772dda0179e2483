//go:build unix

package inference

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used (user and system), or 0
// where unknown. On a shared machine it measures the work done rather than
// the time waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
