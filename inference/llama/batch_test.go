package llama

import (
	"math"
	"slices"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestBatchedRowsMatchAlone checks that a sequence's logits do not depend
// on what else shares its Forward call (another sequence's prompt or
// decode rows) nor on a rewind: the same bits alone, batched, and after
// Truncate and re-feeding, for every weight type the parity tests cover.
func TestBatchedRowsMatchAlone(t *testing.T) {
	for _, q := range []gguf.TensorType{gguf.F32, gguf.F16, gguf.Q8_0, gguf.Q4_0} {
		t.Run(q.String(), func(t *testing.T) {
			m, err := Load(synthPreset(t, "", q, 1))
			if err != nil {
				t.Fatal(err)
			}
			promptA, promptB := []int32{1, 5713, 3714, 264, 727}, []int32{1, 450, 4996}
			next := []int32{304, 1100, 278}
			// run feeds toks to seq after the rows of others, in one call.
			run := func(seq *Seq, toks []int32, others []Row) []float32 {
				rows := append([]Row(nil), others...)
				for i, tok := range toks {
					rows = append(rows, Row{Seq: seq, Token: tok, Logits: i == len(toks)-1})
				}
				out, err := m.Forward(rows, 2)
				if err != nil {
					t.Fatal(err)
				}
				return out[len(out)-1]
			}
			same := func(what string, a, b []float32) {
				t.Helper()
				for i := range a {
					if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
						t.Fatalf("%s: logit %d = %v, alone %v", what, i, b[i], a[i])
					}
				}
			}
			// A alone: its prompt, then three decode steps.
			a := m.NewSeq(64)
			alone := [][]float32{run(a, promptA, nil)}
			for _, tok := range next {
				alone = append(alone, run(a, []int32{tok}, nil))
			}
			// A batched: its prompt beside B's prompt, each decode step
			// beside one of B's.
			a2, b := m.NewSeq(64), m.NewSeq(64)
			var bRows []Row
			for i, tok := range promptB {
				bRows = append(bRows, Row{Seq: b, Token: tok, Logits: i == len(promptB)-1})
			}
			same("prompt beside another prompt", alone[0], run(a2, promptA, bRows))
			for i, tok := range next {
				same("decode beside another decode", alone[i+1], run(a2, []int32{tok}, []Row{{Seq: b, Token: next[i], Logits: true}}))
			}
			// A rewound to its prompt and fed the same tokens again.
			a.Truncate(len(promptA))
			for i, tok := range next {
				same("decode after Truncate", alone[i+1], run(a, []int32{tok}, nil))
			}
		})
	}
}

// TestForwardInto: logits written into a caller's buffer equal Forward's,
// and a second call reuses the buffer's memory.
func TestForwardInto(t *testing.T) {
	m := loadSynth(t, gguf.Q8_0, 1)
	a, b := m.NewSeq(16), m.NewSeq(16)
	var buf []float32
	for step := range 3 {
		rows := []Row{{Seq: a, Token: int32(100 + step), Logits: true}, {Seq: a, Token: 7}, {Seq: a, Token: 9, Logits: true}}
		got, err := m.ForwardInto(rows, 1, &buf)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			rows[i].Seq = b
		}
		want, err := m.Forward(rows, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || &got[0][0] != &buf[0] {
			t.Fatalf("step %d: %d rows of logits, not in the buffer", step, len(got))
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("step %d row %d: ForwardInto's logits differ from Forward's", step, i)
			}
		}
	}
}
