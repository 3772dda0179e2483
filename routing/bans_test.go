package routing

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestBansBackOffExponentially(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBans(SystemClock{}, time.Second, 8*time.Second)
		p := peer.ID("miner")
		for i, want := range []time.Duration{1, 2, 4, 8, 8} {
			if got := b.fail(p); got != want*time.Second {
				t.Fatalf("failure %d: banned for %v, want %v", i+1, got, want*time.Second)
			}
		}
		if !b.banned(p) {
			t.Fatal("not banned after failures")
		}
		time.Sleep(8*time.Second - time.Nanosecond)
		if !b.banned(p) {
			t.Fatal("ban ended early")
		}
		time.Sleep(time.Nanosecond)
		if b.banned(p) {
			t.Fatal("ban did not end")
		}
		// Failing again soon keeps the strikes; after a quiet spell longer
		// than the cap they are forgiven.
		if got := b.fail(p); got != 8*time.Second {
			t.Fatalf("strike after the ban: %v, want 8s", got)
		}
		time.Sleep(17 * time.Second)
		if got := b.fail(p); got != time.Second {
			t.Fatalf("strike after a quiet spell: %v, want 1s", got)
		}
		b.ok(p)
		if b.banned(p) {
			t.Fatal("still banned after a success")
		}
		if got := b.fail(p); got != time.Second {
			t.Fatalf("strike after a success: %v, want 1s", got)
		}
	})
}

func TestBansBounded(t *testing.T) {
	b := newBans(SystemClock{}, time.Second, time.Minute)
	for i := range maxBanned + 10 {
		b.fail(peer.ID(rune(i)))
	}
	if n := len(b.m); n > maxBanned {
		t.Fatalf("ban table has %d entries, bound %d", n, maxBanned)
	}
}

func TestReplaysWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newReplays(SystemClock{}, time.Minute, 3)
		k := func(b byte) replayKey { return replayKey{client: "c", id: [16]byte{b}} }
		if !r.first(k(1)) || r.first(k(1)) {
			t.Fatal("duplicate within the window accepted")
		}
		if !r.first(replayKey{client: "other", id: [16]byte{1}}) {
			t.Fatal("same ID from another client refused")
		}
		time.Sleep(61 * time.Second)
		if !r.first(k(1)) {
			t.Fatal("entry did not expire after the window")
		}
		// Bounded: the oldest entries go first.
		r.first(k(2))
		r.first(k(3))
		r.first(k(4))
		if len(r.seen) > 3 {
			t.Fatalf("replay table has %d entries, bound 3", len(r.seen))
		}
	})
}

func TestLimiterRefillsAndWeighs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(SystemClock{}, 2, 4)
		p := peer.ID("client")
		for i := range 4 {
			if !l.allow(p, 1) {
				t.Fatalf("request %d within the burst refused", i)
			}
		}
		if l.allow(p, 1) {
			t.Fatal("request beyond the burst allowed")
		}
		time.Sleep(500 * time.Millisecond) // one token at 2/s
		if !l.allow(p, 1) || l.allow(p, 1) {
			t.Fatal("refill is not 2 per second")
		}
		// A staked client gets a proportionally larger burst.
		w := stakeWeight(1000)
		n := 0
		for l.allow("validator", w) {
			n++
		}
		if want := int(4 * w); n != want {
			t.Fatalf("staked burst %d, want %d (weight %v)", n, want, w)
		}
	})
	for _, tt := range []struct{ stake, want float64 }{{0, 1}, {-5, 1}, {1, 2}, {3, 3}, {1e12, 16}} {
		if got := stakeWeight(tt.stake); got != tt.want {
			t.Errorf("stakeWeight(%v) = %v, want %v", tt.stake, got, tt.want)
		}
	}
}

func TestSlotsQueueAndRefuse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSlots(2, 1)
		ctx := context.Background()
		if !s.acquire(ctx) || !s.acquire(ctx) {
			t.Fatal("free slots refused")
		}
		got := make(chan bool)
		go func() { got <- s.acquire(ctx) }()
		synctest.Wait()
		if r, w := s.load(); r != 2 || w != 1 {
			t.Fatalf("load = %d running, %d waiting", r, w)
		}
		if s.acquire(ctx) {
			t.Fatal("acquired with the queue full")
		}
		s.release()
		if !<-got {
			t.Fatal("queued request not admitted after a release")
		}
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if s.acquire(tctx) {
			t.Fatal("acquired past its deadline")
		}
		if s.free() != 0 {
			t.Fatalf("free = %d", s.free())
		}
	})
}

func TestWindowQuantile(t *testing.T) {
	w := newWindow(4)
	if q, n := w.quantile(0.5); q != 0 || n != 0 {
		t.Fatalf("empty window: %v, %d", q, n)
	}
	for _, d := range []time.Duration{9, 1, 5, 3, 7} { // 9 falls out
		w.add(d)
	}
	if q, n := w.quantile(0); q != 1 || n != 4 {
		t.Fatalf("min = %v of %d", q, n)
	}
	if q, _ := w.quantile(1); q != 7 {
		t.Fatalf("max = %v, want 7", q)
	}
}

func TestStopFilterAcrossResumePoint(t *testing.T) {
	tests := []struct {
		name    string
		pending string
		stops   []string
		pushes  []string
		want    string
		stopped bool
	}{
		{"no-pending", "", []string{"\n\n"}, []string{"ab", "c"}, "abc", false},
		{"prefix-released", "xy", nil, []string{"z"}, "xyz", false},
		{"stop-spans", "one\n", []string{"\n\n"}, []string{"\nlater"}, "one", true},
		{"stop-spans-late", "a", []string{"abc"}, []string{"b", "c", "d"}, "", true},
		{"near-miss", "a", []string{"abc"}, []string{"b", "x"}, "abx", false},
		{"utf8-tail", "\xe2", nil, []string{"\x80\x99!"}, "\u2019!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &stopFilter{pending: tt.pending, stops: tt.stops}
			var got string
			stopped := false
			for _, p := range tt.pushes {
				out, st := f.push(p)
				got += out
				if st {
					stopped = true
					break
				}
			}
			if !stopped {
				got += f.flush()
			}
			if got != tt.want || stopped != tt.stopped {
				t.Fatalf("got %q (stopped %v), want %q (stopped %v)", got, stopped, tt.want, tt.stopped)
			}
		})
	}
}
