package scoring

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func ok(uid uint16, q, tps float64, ttftMs int) Sample {
	return Sample{UID: uid, Outcome: Verified, Quality: q, TokensPerSec: tps, TTFT: time.Duration(ttftMs) * time.Millisecond}
}

func TestRound(t *testing.T) {
	const lambda = 0.3
	tests := []struct {
		name    string
		samples []Sample
		want    []RoundScore
	}{
		{"empty", nil, []RoundScore{}},
		{"alone", []Sample{ok(4, 0.8, 10, 100)}, []RoundScore{{UID: 4, Samples: 1, Quality: 0.8, Speed: 1, Score: 0.8}}},
		{
			"ranks", // uid 1 faster on both counts
			[]Sample{ok(2, 1, 10, 300), ok(1, 1, 20, 100)},
			[]RoundScore{{UID: 1, Samples: 1, Quality: 1, Speed: 1, Score: 1}, {UID: 2, Samples: 1, Quality: 1, Speed: 0, Score: 0.7}},
		},
		{
			"ties-count-half",
			[]Sample{ok(0, 1, 10, 100), ok(1, 1, 10, 100)},
			[]RoundScore{{UID: 0, Samples: 1, Quality: 1, Speed: 0.5, Score: 0.85}, {UID: 1, Samples: 1, Quality: 1, Speed: 0.5, Score: 0.85}},
		},
		{
			"mixed-speed", // uid 0 best tps, worst ttft
			[]Sample{ok(0, 1, 30, 500), ok(1, 1, 20, 100)},
			[]RoundScore{{UID: 0, Samples: 1, Quality: 1, Speed: 0.5, Score: 0.85}, {UID: 1, Samples: 1, Quality: 1, Speed: 0.5, Score: 0.85}},
		},
		{
			"no-answer-counts-zero-quality",
			[]Sample{ok(0, 1, 10, 100), {UID: 0, Outcome: NoAnswer}},
			[]RoundScore{{UID: 0, Samples: 2, Quality: 0.5, Speed: 1, Score: 0.5}},
		},
		{
			"only-no-answer-has-no-speed",
			[]Sample{{UID: 3, Outcome: NoAnswer}, ok(5, 1, 10, 100)},
			[]RoundScore{{UID: 3, Samples: 1}, {UID: 5, Samples: 1, Quality: 1, Speed: 1, Score: 1}},
		},
		{
			"one-failure-fails-the-round", // a fast junk answer earns nothing, and leaves the ranks
			[]Sample{ok(0, 1, 10, 100), ok(1, 1, 99, 10), {UID: 1, Outcome: Failed, TokensPerSec: 999}},
			[]RoundScore{{UID: 0, Samples: 1, Quality: 1, Speed: 1, Score: 1}, {UID: 1, Samples: 2, Failed: true}},
		},
		{
			"quality-clamped-and-medians", // median tps 20 beats 15; median ttft 200 loses to 150
			[]Sample{ok(0, 2, 10, 100), ok(0, -1, 20, 200), ok(0, 1, 90, 900), ok(1, 1, 15, 150)},
			[]RoundScore{{UID: 0, Samples: 3, Quality: 2.0 / 3, Speed: 0.5, Score: 2.0 / 3 * 0.85}, {UID: 1, Samples: 1, Quality: 1, Speed: 0.5, Score: 0.85}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Round(tt.samples, lambda)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d scores %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.UID != w.UID || g.Samples != w.Samples || g.Failed != w.Failed ||
					!near(g.Quality, w.Quality) || !near(g.Speed, w.Speed) || !near(g.Score, w.Score) {
					t.Errorf("score %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestRoundProperties: scores lie in [0, 1], do not depend on sample order,
// and a failed round scores 0.
func TestRoundProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		n := 1 + r.IntN(40)
		s := make([]Sample, n)
		for i := range s {
			s[i] = Sample{UID: uint16(r.IntN(8)), Outcome: Outcome(r.IntN(3)), Quality: r.Float64()*1.4 - 0.2,
				TokensPerSec: 1 + r.Float64()*100, TTFT: time.Duration(r.IntN(2000)) * time.Millisecond}
		}
		lambda := r.Float64()
		a := Round(s, lambda)
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		b := Round(s, lambda)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("order changed the result: %+v vs %+v", a[i], b[i])
			}
			x := a[i]
			if x.Score < 0 || x.Score > 1 || x.Speed < 0 || x.Speed > 1 || x.Quality < 0 || x.Quality > 1 {
				t.Fatalf("out of range: %+v", x)
			}
			if x.Failed && x.Score != 0 {
				t.Fatalf("failed round scored: %+v", x)
			}
			if i > 0 && a[i-1].UID >= x.UID {
				t.Fatalf("uids not ascending: %+v", a)
			}
		}
	}
}

func TestTracker(t *testing.T) {
	tr, err := NewTracker(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c := tr.Config(); c.Alpha != DefaultAlpha || c.SpeedWeight != DefaultSpeedWeight || c.KeepOnFail {
		t.Fatalf("defaults: got %+v", c)
	}
	good := []Sample{ok(0, 1, 10, 100), ok(2, 0.5, 10, 100)}
	tr.Observe(good) // both speed 0.5: x0 = 0.85, x2 = 0.425
	if got, want := tr.Score(0), 0.3*0.85; !near(got, want) {
		t.Fatalf("first round: got %v, want %v", got, want)
	}
	tr.Observe(good)
	if got, want := tr.Score(0), 0.3*0.85+0.3*(0.85-0.3*0.85); !near(got, want) {
		t.Fatalf("second round: got %v, want %v", got, want)
	}
	before := tr.Score(2)
	tr.Observe([]Sample{ok(0, 1, 10, 100), {UID: 0, Outcome: Failed}})
	if tr.Score(0) != 0 || tr.Score(2) != before {
		t.Fatalf("after a fail: score(0) = %v (want 0), score(2) = %v (want %v unchanged)", tr.Score(0), tr.Score(2), before)
	}
	if got := tr.Scores(4); len(got) != 4 || got[2] != before || got[3] != 0 || tr.Score(300) != 0 {
		t.Fatalf("Scores(4) = %v", got)
	}
	tr.Forget(2)
	if tr.Score(2) != 0 {
		t.Fatal("Forget kept the score")
	}

	keep, _ := NewTracker(Config{Alpha: 0.5, SpeedWeight: -1, KeepOnFail: true})
	keep.Observe([]Sample{ok(1, 0.8, 10, 100)})
	keep.Observe([]Sample{{UID: 1, Outcome: Failed}})
	if got := keep.Score(1); !near(got, 0.2) { // 0.4, then halfway to 0
		t.Fatalf("KeepOnFail: got %v, want 0.2", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{{Alpha: 1.5}, {Alpha: -0.1}, {Alpha: math.NaN()}, {SpeedWeight: 2}, {SpeedWeight: math.NaN()}} {
		if _, err := NewTracker(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: got %v, want ErrBadConfig", c, err)
		}
	}
}
