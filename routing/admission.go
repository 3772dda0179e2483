package routing

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// slots admits at most n requests at once and lets at most queue more wait
// for a slot. Safe for concurrent use.
type slots struct {
	sem chan struct{}

	mu      sync.Mutex // guards waiting
	waiting int
	queue   int
}

func newSlots(n, queue int) *slots { return &slots{sem: make(chan struct{}, n), queue: queue} }

// acquire takes a slot, waiting in the queue if there is room. It returns
// false at once when the queue is full, or when ctx ends while waiting.
func (s *slots) acquire(ctx context.Context) bool {
	select {
	case s.sem <- struct{}{}:
		return true
	default:
	}
	s.mu.Lock()
	if s.waiting >= s.queue {
		s.mu.Unlock()
		return false
	}
	s.waiting++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
	}()
	select {
	case s.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *slots) release() { <-s.sem }

// load returns the requests running and waiting.
func (s *slots) load() (running, waiting int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sem), s.waiting
}

// free returns the slots a new request could take now.
func (s *slots) free() int { return cap(s.sem) - len(s.sem) }

// maxLimited bounds the rate limiter's table; idle entries go first.
const maxLimited = 8192

// limiter is a token bucket per client peer: rate requests per second and
// a burst, both multiplied by the client's weight (see stakeWeight). Safe
// for concurrent use.
type limiter struct {
	clock Clock
	rate  float64
	burst float64

	mu      sync.Mutex // guards buckets
	buckets map[peer.ID]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(c Clock, rate float64, burst int) *limiter {
	return &limiter{clock: c, rate: rate, burst: float64(burst), buckets: make(map[peer.ID]*bucket)}
}

// allow takes one token from p's bucket, scaled by weight ≥ 1.
func (l *limiter) allow(p peer.ID, weight float64) bool {
	now := l.clock.Now()
	rate, burst := l.rate*weight, l.burst*weight
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[p]
	if !ok {
		if len(l.buckets) >= maxLimited {
			l.evictLocked(now)
		}
		b = &bucket{tokens: burst, at: now}
		l.buckets[p] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// evictLocked drops buckets that have refilled (their owner is idle); if
// none has, it drops all, which only ever forgives.
func (l *limiter) evictLocked(now time.Time) {
	for p, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, p)
		}
	}
	if len(l.buckets) >= maxLimited {
		clear(l.buckets)
	}
}

// stakeWeight is how many times the base rate a client with stake (TAO)
// gets: 1 + log2(1 + stake), at most 16. Validators, which stake and query
// every miner each tempo, are not throttled like anonymous clients.
func stakeWeight(stake float64) float64 {
	if !(stake > 0) {
		return 1
	}
	return min(1+math.Log2(1+stake), 16)
}

// replayKey identifies a request: the client's key and its request ID.
type replayKey struct {
	client peer.ID
	id     [16]byte
}

// replays remembers the requests of the last window so that none runs
// twice. It is bounded (max entries, oldest dropped first); requests older
// than the window are refused by their timestamp, so the table never needs
// more than the window. With MinerConfig.ReplayFile it is also kept on
// disk (replays_file.go), so a restarted miner does not forget it. Safe
// for concurrent use.
type replays struct {
	clock  Clock
	window time.Duration
	max    int

	mu    sync.Mutex // guards seen, order, log
	seen  map[replayKey]time.Time
	order []replayKey // insertion order, for expiry and eviction
	log   *replayLog  // nil: memory only
}

func newReplays(c Clock, window time.Duration, max int) *replays {
	return &replays{clock: c, window: window, max: max, seen: make(map[replayKey]time.Time)}
}

// first records k and reports whether it is new; an error means it could
// not be recorded on disk (the request must be refused).
func (r *replays) first(k replayKey) (bool, error) {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.order) > 0 && (now.Sub(r.seen[r.order[0]]) > r.window || len(r.order) >= r.max) {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	if _, dup := r.seen[k]; dup {
		return false, nil
	}
	if err := r.persist(k, now); err != nil {
		return false, err
	}
	r.seen[k] = now
	r.order = append(r.order, k)
	return true, nil
}
