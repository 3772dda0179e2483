package routing

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Ban backoff defaults.
const (
	defaultBanBase = 2 * time.Second
	defaultBanMax  = 5 * time.Minute
	// maxBanned bounds the ban table; the oldest entries go first.
	maxBanned = 4096
)

// bans keeps miners that failed out of selection for a while: the first
// failure for base, each further one twice as long, up to max. A miner
// that stays clean for max is forgiven its strikes. A success forgives at
// once. These are local routing bans, not p2p.Host.Ban: a miner that
// timed out is slow, not malicious. Safe for concurrent use.
type bans struct {
	clock     Clock
	base, max time.Duration

	mu sync.Mutex // guards m
	m  map[peer.ID]*ban
}

type ban struct {
	strikes int
	until   time.Time // banned before this
	last    time.Time // last failure
}

func newBans(c Clock, base, max time.Duration) *bans {
	return &bans{clock: c, base: base, max: max, m: make(map[peer.ID]*ban)}
}

// fail records a failure of p and returns how long p is banned.
func (b *bans) fail(p peer.ID) time.Duration {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[p]
	if !ok {
		if len(b.m) >= maxBanned {
			b.evictLocked(now)
		}
		e = &ban{}
		b.m[p] = e
	}
	if now.Sub(e.last) > b.max {
		e.strikes = 0
	}
	e.strikes++
	d := b.base
	for i := 1; i < e.strikes && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	e.last, e.until = now, now.Add(d)
	return d
}

// ok forgives p after a success.
func (b *bans) ok(p peer.ID) {
	b.mu.Lock()
	delete(b.m, p)
	b.mu.Unlock()
}

// banned reports whether p is banned now.
func (b *bans) banned(p peer.ID) bool {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[p]
	return ok && now.Before(e.until)
}

// evictLocked drops forgiven entries, or the one whose ban ends first.
func (b *bans) evictLocked(now time.Time) {
	var first peer.ID
	var firstUntil time.Time
	for p, e := range b.m {
		if now.Sub(e.last) > b.max {
			delete(b.m, p)
			continue
		}
		if first == "" || e.until.Before(firstUntil) {
			first, firstUntil = p, e.until
		}
	}
	if len(b.m) >= maxBanned {
		delete(b.m, first)
	}
}
