package routing

import (
	"slices"
	"sync"
	"time"
)

// window keeps the last n duration samples and answers quantiles. Safe for
// concurrent use.
type window struct {
	mu   sync.Mutex // guards buf, next, full
	buf  []time.Duration
	next int
	full bool
}

func newWindow(n int) *window { return &window{buf: make([]time.Duration, n)} }

func (w *window) add(d time.Duration) {
	w.mu.Lock()
	w.buf[w.next] = d
	w.next++
	if w.next == len(w.buf) {
		w.next, w.full = 0, true
	}
	w.mu.Unlock()
}

// quantile returns the q-quantile (0..1) of the samples and their count;
// zero with no samples.
func (w *window) quantile(q float64) (time.Duration, int) {
	w.mu.Lock()
	n := w.next
	if w.full {
		n = len(w.buf)
	}
	s := slices.Clone(w.buf[:n])
	w.mu.Unlock()
	if n == 0 {
		return 0, 0
	}
	slices.Sort(s)
	i := int(q * float64(n-1))
	return s[min(max(i, 0), n-1)], n
}
