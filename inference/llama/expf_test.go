package llama

import (
	"math"
	"testing"
)

func TestExpf(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x < 88.5; x += 0.00731 {
		got, want := float64(expf(x)), math.Exp(float64(x))
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
	}
	if worst > 3e-7 {
		t.Errorf("max relative error %.3g", worst)
	}
	if expf(-100) != 0 || !math.IsInf(float64(expf(100)), 1) || expf(0) != 1 {
		t.Errorf("edges: %v %v %v", expf(-100), expf(100), expf(0))
	}
}

// TestExpNeg: the inlined exp of LogSumExp agrees with expf (and so with
// math.Exp to about 1 ulp) over the range it serves.
func TestExpNeg(t *testing.T) {
	for x := float32(-90); x <= 0; x += 0.0137 {
		got, want := expNeg(x), expf(x)
		if want == 0 {
			if got > 1e-37 {
				t.Fatalf("expNeg(%v) = %v, want 0", x, got)
			}
			continue
		}
		if rel := math.Abs(float64(got-want)) / float64(want); rel > 4e-7 {
			t.Fatalf("expNeg(%v) = %v, expf %v (relative %v)", x, got, want, rel)
		}
	}
	xs := []float32{-3, 1.5, 0.25, 7, -100, 2.75}
	var ref float64
	mx := 7.0
	for _, v := range xs {
		ref += math.Exp(float64(v) - mx)
	}
	if got, want := LogSumExp(xs), mx+math.Log(ref); math.Abs(got-want) > 1e-6 {
		t.Fatalf("LogSumExp = %v, want %v", got, want)
	}
}
