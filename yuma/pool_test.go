package yuma

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// TestEpochPooledConcurrent runs epochs of different shapes and variants
// concurrently and repeatedly, so that pooled scratch (pool.go) moves
// between epochs of different sizes, and checks every output against the
// one computed alone.
func TestEpochPooledConcurrent(t *testing.T) {
	var ins []Input
	for _, s := range []struct{ n, v, nnz int }{{64, 16, 0}, {256, 32, 8}, {40, 8, 0}} {
		for _, y3 := range []bool{false, true} {
			for _, liq := range []bool{false, true} {
				in := benchInput(s.n, s.v, s.nnz, y3, liq)
				in.Hyper.BondsPenalty = uint16(s.n * 97)
				ins = append(ins, in)
			}
		}
	}
	want := make([]Output, len(ins))
	for i, in := range ins {
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for r := range 20 {
				i := (g*7 + r) % len(ins)
				got, err := Epoch(ins[i])
				if err != nil || !reflect.DeepEqual(got, want[i]) {
					errs <- "output differs from the serial run"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestLowestStakes checks the key sort against the stable sort by stake,
// with many ties and stakes too large for keys.
func TestLowestStakes(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for it := range 2000 {
		n := 1 + r.IntN(300)
		if it%100 == 0 {
			n = 4096 + r.IntN(2)
		}
		s := make([]int64, n)
		span := int64(1 + r.IntN(1<<r.IntN(34)))
		for i := range s {
			s[i] = r.Int64N(span)
			if it%10 == 1 && r.IntN(50) == 0 {
				s[i] = 1<<51 + r.Int64N(5)
			}
		}
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortStableFunc(order, func(x, y int32) int { return cmp.Compare(s[x], s[y]) })
		m := r.IntN(n + 1)
		if got := lowestStakes(s, m); !slices.Equal(got, order[:m]) {
			t.Fatalf("case %d: lowestStakes = %v, want %v", it, got, order[:m])
		}
	}
}
