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
