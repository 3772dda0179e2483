package llama

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// ggmlTensor is one tensor of a llama.cpp graph dump (scripts/llamacpp-dump.c).
type ggmlTensor struct {
	name string
	ne   [4]int
	data []float32
}

func readGGMLDump(path string) ([]ggmlTensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []ggmlTensor
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, io.ErrUnexpectedEOF
		}
		nl := int(binary.LittleEndian.Uint32(b))
		t := ggmlTensor{name: string(b[4 : 4+nl])}
		b = b[4+nl:]
		n := 1
		for i := range 4 {
			t.ne[i] = int(binary.LittleEndian.Uint64(b[8*i:]))
			n *= t.ne[i]
		}
		b = b[32:]
		t.data = make([]float32, n)
		for i := range t.data {
			t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[4*n:]
		out = append(out, t)
	}
	return out, nil
}

// TestGGMLDump compares the engine's intermediate activations with a
// llama.cpp graph dump, step by step, and fails naming the first tensor
// that differs in any bit. A debugging aid (scripts/llamacpp-dump.sh): it runs
// only when TAO_GGML_DUMP=DIR (step-NN.bin files), TAO_GGML_MODEL=FILE.gguf
// and TAO_GGML_TOKENS="1 2 3" (the prompt) are set; TAO_GGML_NEXT feeds
// llama.cpp's greedy tokens instead of the engine's own,
// TAO_GGML_KV_CACHE=f16 gives the engine an F16 KV cache (as the dump's,
// KV_CACHE=f16), TAO_GGML_FLASH_ATTN=on flash attention (FLASH_ATTN=on)
// and TAO_GGML_VERBOSE lists every differing value.
func TestGGMLDump(t *testing.T) {
	dir, path := os.Getenv("TAO_GGML_DUMP"), os.Getenv("TAO_GGML_MODEL")
	if dir == "" || path == "" {
		t.Skip("set TAO_GGML_DUMP, TAO_GGML_MODEL and TAO_GGML_TOKENS to compare with a llama.cpp dump")
	}
	var toks []int32
	for _, f := range strings.Fields(os.Getenv("TAO_GGML_TOKENS")) {
		v, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, int32(v))
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	setAttention(t, m, os.Getenv("TAO_GGML_KV_CACHE"), os.Getenv("TAO_GGML_FLASH_ATTN") == "on")
	seq := m.NewSeq(256)
	got := map[string][]float32{}
	var order []string
	trace = func(name string, x []float32) {
		if _, ok := got[name]; !ok {
			order = append(order, name)
		}
		got[name] = append([]float32(nil), x...)
	}
	defer func() { trace = nil }()
	in := toks
	for step := 0; ; step++ {
		ref, err := readGGMLDump(fmt.Sprintf("%s/step-%02d.bin", dir, step))
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last := map[string]ggmlTensor{}
		for _, r := range ref {
			if _, ok := last[r.name]; !ok {
				// The first tensor of that name, under the name the
				// engine traces it as (tracef puts the layer last).
				first := r.name + "#0"
				if i := strings.LastIndexByte(r.name, '-'); i > 0 {
					first = r.name[:i] + "#0" + r.name[i:]
				}
				last[first] = r
			}
			last[r.name] = r
		}
		clear(got)
		order = order[:0]
		rows := make([]Row, len(in))
		for i, tok := range in {
			rows[i] = Row{Seq: seq, Token: tok, Logits: i == len(in)-1}
		}
		out, err := m.Forward(rows, 2)
		if err != nil {
			t.Fatal(err)
		}
		reported := false
		for _, name := range order {
			r, ok := last[name]
			if !ok {
				continue
			}
			g := got[name]
			if name == "result_norm" || name == "result_output" {
				// llama.cpp keeps only the rows that want logits.
			} else if len(r.data) != len(g) {
				t.Logf("step %d %s: %d values, llama.cpp %d", step, name, len(g), len(r.data))
				continue
			}
			g = g[len(g)-len(r.data):]
			diff, worst := 0, 0.0
			for i := range g {
				if math.Float32bits(g[i]) != math.Float32bits(r.data[i]) {
					diff++
					worst = max(worst, math.Abs(float64(g[i]-r.data[i])))
				}
			}
			if diff > 0 && !reported {
				t.Errorf("step %d: first difference at %s: %d of %d values, max |Δ| %.3g", step, name, diff, len(g), worst)
				if os.Getenv("TAO_GGML_VERBOSE") != "" {
					for i := range g {
						if g[i] != r.data[i] {
							t.Logf("  [%d] %v (%08x) llama.cpp %v (%08x)", i, g[i], math.Float32bits(g[i]), r.data[i], math.Float32bits(r.data[i]))
						}
					}
				}
				reported = true
			}
		}
		if !reported {
			t.Logf("step %d: every compared tensor bit-identical", step)
		}
		if r, ok := last["result_output"]; ok {
			t.Logf("step %d: llama.cpp logits SHA-256 %s", step, logitsSHA256(r.data))
		}
		best := 0
		lg := out[len(out)-1]
		for i, v := range lg {
			if v > lg[best] {
				best = i
			}
		}
		in = []int32{int32(best)}
		if next := strings.Fields(os.Getenv("TAO_GGML_NEXT")); step < len(next) {
			v, _ := strconv.Atoi(next[step])
			in = []int32{int32(v)}
		}
	}
}
