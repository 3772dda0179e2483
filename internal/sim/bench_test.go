package sim

import (
	"fmt"
	"slices"
	"testing"
)

// BenchmarkSimHeight measures consensus itself: fault-free validators of
// equal power, delays up to 200ms of virtual time, one committed height
// per iteration. heights/s and msgs/s are real time; virtual-ms/height is
// the simulated latency of a height.
func BenchmarkSimHeight(b *testing.B) {
	for _, n := range []int{4, 32} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			s, err := New(Options{Seed: 1, Powers: slices.Repeat([]uint64{1}, n), GST: 1})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.RunTo(1); err != nil { // boot outside the timing
				b.Fatal(err)
			}
			before := s.Result()
			h := uint64(1)
			b.ReportAllocs()
			for b.Loop() {
				h++
				if err := s.RunTo(h); err != nil {
					b.Fatal(err)
				}
			}
			after := s.Result()
			secs := b.Elapsed().Seconds()
			heights := float64(h - 1)
			b.ReportMetric(heights/secs, "heights/s")
			b.ReportMetric(float64(after.Messages-before.Messages)/secs, "msgs/s")
			b.ReportMetric(float64(after.Time-before.Time)/1e6/heights, "virtual-ms/height")
		})
	}
}
