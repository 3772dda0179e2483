package llama

import (
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestBF16MatchesF32 runs a bf16 file on the CPU against the f32 file of
// the same seed: the weights differ only by bf16 rounding (relative
// 2^-9), so greedy decoding agrees and log-probabilities stay close.
func TestBF16MatchesF32(t *testing.T) {
	ref, err := Load(synthBytes(t, gguf.F32, 1))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(synthBytes(t, gguf.BF16, 1))
	if err != nil {
		t.Fatal(err)
	}
	if m.layers[0].wq.Type != gguf.BF16 {
		t.Fatalf("weights loaded as %s, want bf16", m.layers[0].wq.Type)
	}
	prompt := ref.Tok.Encode("Once upon a time, a little fox found a shiny key.", true, false)
	const n = 16
	wt, wlp := greedy(t, ref, prompt, n, 1)
	gt, glp := greedy(t, m, prompt, n, 1)
	for i := range n {
		d, scale := logitDiff(wlp[i], glp[i])
		if d > 0.02*scale {
			t.Fatalf("step %d: max |Δ log-softmax| %.4f > 2%% of %.3f", i, d, scale)
		}
		if wt[i] != gt[i] {
			if top2Margin(wlp[i]) < 0.02*scale {
				t.Logf("step %d: numeric tie; stopping the comparison", i)
				return
			}
			t.Fatalf("step %d: f32 token %d, bf16 %d", i, wt[i], gt[i])
		}
	}
}
