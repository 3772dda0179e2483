package yuma

import (
	"reflect"
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
