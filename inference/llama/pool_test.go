package llama

import (
	"sync/atomic"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestTeamParallelFor runs many loops back to back on one team, as a
// forward pass does, and checks that every index runs exactly once and
// that each loop has finished when parallelFor returns.
func TestTeamParallelFor(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		tm := startTeam(threads)
		for round := range 500 {
			n, grain := round%37, 1+round%5
			hits := make([]atomic.Int32, n)
			tm.parallelFor(n, grain, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads=%d round %d: index %d of %d ran %d times", threads, round, i, n, h)
				}
			}
		}
		tm.stop()
	}
	var nilTeam *team
	ran := 0
	nilTeam.parallelFor(5, 1, func(lo, hi int) { ran += hi - lo })
	nilTeam.stop()
	if ran != 5 {
		t.Fatalf("nil team ran %d of 5", ran)
	}
}

// TestForwardGreedyMatchesForward checks the CPU's greedy picks (made from
// logits in the pass's scratch) against Forward's logits, on a batch with
// prompt rows and decode rows, on two threads.
func TestForwardGreedyMatchesForward(t *testing.T) {
	for _, q := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
		m := loadSynth(t, q, 1)
		rowsOf := func(seqs []*Seq, step int) []Row {
			var rows []Row
			for i, s := range seqs {
				if step == 0 && i%3 == 0 { // a short prompt
					for p := range 5 {
						rows = append(rows, Row{Seq: s, Token: int32(10 + p + i), Logits: p == 4})
					}
					continue
				}
				rows = append(rows, Row{Seq: s, Token: int32(100 + i + 7*step), Logits: true})
			}
			return rows
		}
		a, b := make([]*Seq, 9), make([]*Seq, 9)
		for i := range a {
			a[i], b[i] = m.NewSeq(64), m.NewSeq(64)
		}
		for step := range 4 {
			picks, err := m.ForwardGreedy(rowsOf(a, step), 2)
			if err != nil {
				t.Fatal(err)
			}
			logits, err := m.Forward(rowsOf(b, step), 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(picks) != len(logits) {
				t.Fatalf("%v step %d: %d picks for %d logit rows", q, step, len(picks), len(logits))
			}
			for i, p := range picks {
				id := Argmax(logits[i])
				lp := float32(float64(logits[i][id]) - LogSumExp(logits[i]))
				if p.ID != int32(id) || p.LogProb != lp {
					t.Fatalf("%v step %d row %d: pick %+v, Forward gives %d %v", q, step, i, p, id, lp)
				}
			}
		}
	}
}
