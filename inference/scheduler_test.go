package inference

import "testing"

// TestPrefillRows: a prompt that does not end in a step is fed in
// multiples of four rows, so llama.cpp's groups of four (K-quant gemm)
// fall where they fall when the prompt runs alone.
func TestPrefillRows(t *testing.T) {
	for _, c := range []struct{ rest, budget, chunk, want int }{
		{200, 256, 256, 200}, // ends here: all of it
		{300, 256, 256, 256},
		{200, 126, 256, 124}, // a batch mate took 130 rows
		{200, 3, 256, 0},     // wait for the next step
		{200, 0, 256, 0},
		{2, 0, 256, 0}, // budget spent
		{3, 5, 256, 3}, // ends here
		{10, 1, 1, 1},  // chunks of one row: the split the caller asked for
		{10, 2, 2, 2},
	} {
		if got := prefillRows(c.rest, c.budget, c.chunk); got != c.want {
			t.Errorf("prefillRows(%d, %d, %d) = %d, want %d", c.rest, c.budget, c.chunk, got, c.want)
		}
	}
}
