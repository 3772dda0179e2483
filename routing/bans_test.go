package routing

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
		first := func(k replayKey) bool {
			ok, err := r.first(k)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		k := func(b byte) replayKey { return replayKey{client: "c", id: [16]byte{b}} }
		if !first(k(1)) || first(k(1)) {
			t.Fatal("duplicate within the window accepted")
		}
		if !first(replayKey{client: "other", id: [16]byte{1}}) {
			t.Fatal("same ID from another client refused")
		}
		time.Sleep(61 * time.Second)
		if !first(k(1)) {
			t.Fatal("entry did not expire after the window")
		}
		// Bounded: the oldest entries go first.
		first(k(2))
		first(k(3))
		first(k(4))
		if len(r.seen) > 3 {
			t.Fatalf("replay table has %d entries, bound 3", len(r.seen))
		}
	})
}

// TestReplaysPersist: a restarted miner (a new table over the same file)
// still refuses the requests of the window, forgets those past it, and
// survives a torn last record and a damaged file.
func TestReplaysPersist(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "replays")
		warn := func(string, ...any) {}
		k := func(b byte) replayKey { return replayKey{client: "12D3KooWclient", id: [16]byte{b}} }
		r := newReplays(SystemClock{}, time.Minute, 1000)
		if err := r.open(path, warn); err != nil {
			t.Fatal(err)
		}
		for b := range byte(3) {
			if ok, err := r.first(k(b)); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		time.Sleep(30 * time.Second)
		r.first(k(9))
		r.close()

		// Torn last record: a crash mid-write.
		f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		f.Write([]byte{14, '1', '2'})
		f.Close()

		time.Sleep(31 * time.Second) // k(0..2) are 61 s old, k(9) 31 s
		r2 := newReplays(SystemClock{}, time.Minute, 1000)
		if err := r2.open(path, warn); err != nil {
			t.Fatal(err)
		}
		if ok, _ := r2.first(k(9)); ok {
			t.Fatal("a request of the window was served again after a restart")
		}
		if ok, _ := r2.first(k(1)); !ok {
			t.Fatal("a request past the window is still remembered")
		}
		r2.close()

		os.WriteFile(path, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0o600)
		r3 := newReplays(SystemClock{}, time.Minute, 1000)
		var warned bool
		if err := r3.open(path, func(string, ...any) { warned = true }); err != nil || !warned {
			t.Fatalf("damaged file: %v, warned %v", err, warned)
		}
		r3.close()
	})
}

// FuzzReadReplayRecords: the replay file decoder never panics, returns only
// records with a bounded client ID, and no more records than the input
// could hold.
func FuzzReadReplayRecords(f *testing.F) {
	var b []byte
	b = appendReplayRecord(b, replayKey{client: "12D3KooWx", id: [16]byte{1}}, time.UnixMilli(1_700_000_000_000))
	b = appendReplayRecord(b, replayKey{client: "p", id: [16]byte{2}}, time.UnixMilli(5))
	f.Add(b)
	f.Add(b[:len(b)-3])
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, _ := readReplayRecords(bytes.NewReader(data))
		size := 0
		for _, r := range recs {
			if len(r.key.client) == 0 || len(r.key.client) > maxReplayClient {
				t.Fatalf("record with a client ID of %d bytes", len(r.key.client))
			}
			size += 1 + len(r.key.client) + 16 + 8
		}
		if size > len(data) {
			t.Fatalf("%d records need at least %d bytes, the input has %d", len(recs), size, len(data))
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
