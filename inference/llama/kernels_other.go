//go:build !amd64

package llama

func dotF32(a, b []float32) float32    { return dotF32Go(a, b) }
func dotQ8(w []byte, a *q8Act) float32 { return dotQ8Go(w, a) }
func dotQ4(w []byte, a *q8Act) float32 { return dotQ4Go(w, a) }
