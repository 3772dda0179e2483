package llama

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/safetensors"
)

// hfRef is a plain forward pass written the way transformers'
// LlamaForCausalLM computes, over an exported checkpoint: rotary
// embeddings rotate halves of each head (x[i], x[i+d/2]), tensors are
// looked up by Hugging Face names. It shares no code with the engine, so
// agreement checks the export's names, shapes and q/k row order.
type hfRef struct {
	cfg HFConfig
	f   *safetensors.File
	t   *testing.T
}

func (r hfRef) mat(name string) (w []float32, rows, cols int) {
	tt, ok := r.f.Tensor(name)
	if !ok {
		r.t.Fatalf("export has no tensor %s", name)
	}
	if tt.DType != "F32" {
		r.t.Fatalf("%s: dtype %s, want F32", name, tt.DType)
	}
	b := r.f.Data(tt)
	w = make([]float32, len(b)/4)
	for i := range w {
		w[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	if len(tt.Shape) == 1 {
		return w, int(tt.Shape[0]), 1
	}
	return w, int(tt.Shape[0]), int(tt.Shape[1])
}

func (r hfRef) linear(name string, x []float32) []float32 {
	w, rows, cols := r.mat(name)
	out := make([]float32, rows)
	for i := range rows {
		var s float64
		for j := range cols {
			s += float64(w[i*cols+j]) * float64(x[j])
		}
		out[i] = float32(s)
	}
	return out
}

func (r hfRef) rmsnorm(name string, x []float32) []float32 {
	w, _, _ := r.mat(name)
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	inv := 1 / math.Sqrt(ss/float64(len(x))+r.cfg.RMSNormEps)
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(float64(v)*inv) * w[i]
	}
	return out
}

// rope rotates each head of x at position pos, halves paired.
func (r hfRef) rope(x []float32, pos int) {
	hd := r.cfg.HeadDim
	for h := 0; h < len(x)/hd; h++ {
		v := x[h*hd : (h+1)*hd]
		for i := range hd / 2 {
			ang := float64(pos) * math.Pow(r.cfg.RopeTheta, -float64(2*i)/float64(hd))
			c, s := math.Cos(ang), math.Sin(ang)
			a, b := float64(v[i]), float64(v[i+hd/2])
			v[i], v[i+hd/2] = float32(a*c-b*s), float32(b*c+a*s)
		}
	}
}

// logits runs the whole prompt and returns every position's logits.
func (r hfRef) logits(tokens []int32) [][]float32 {
	c := r.cfg
	emb, _, dim := r.mat("model.embed_tokens.weight")
	hd, group := c.HeadDim, c.NumAttentionHeads/c.NumKeyValueHeads
	keys := make([][][]float32, c.NumHiddenLayers) // [layer][pos]
	vals := make([][][]float32, c.NumHiddenLayers)
	var out [][]float32
	for pos, tok := range tokens {
		x := append([]float32(nil), emb[int(tok)*dim:(int(tok)+1)*dim]...)
		for l := range c.NumHiddenLayers {
			p := "model.layers." + itoa(l) + "."
			h := r.rmsnorm(p+"input_layernorm.weight", x)
			q, k, v := r.linear(p+"self_attn.q_proj.weight", h), r.linear(p+"self_attn.k_proj.weight", h), r.linear(p+"self_attn.v_proj.weight", h)
			r.rope(q, pos)
			r.rope(k, pos)
			keys[l], vals[l] = append(keys[l], k), append(vals[l], v)
			att := make([]float32, len(q))
			for hh := range c.NumAttentionHeads {
				kv := hh / group
				qh := q[hh*hd : (hh+1)*hd]
				sc := make([]float64, pos+1)
				mx := math.Inf(-1)
				for t := range pos + 1 {
					var s float64
					for i := range hd {
						s += float64(qh[i]) * float64(keys[l][t][kv*hd+i])
					}
					sc[t] = s / math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[t])
				}
				var z float64
				for t := range sc {
					sc[t] = math.Exp(sc[t] - mx)
					z += sc[t]
				}
				for i := range hd {
					var s float64
					for t := range sc {
						s += sc[t] / z * float64(vals[l][t][kv*hd+i])
					}
					att[hh*hd+i] = float32(s)
				}
			}
			o := r.linear(p+"self_attn.o_proj.weight", att)
			for i := range x {
				x[i] += o[i]
			}
			h = r.rmsnorm(p+"post_attention_layernorm.weight", x)
			g, u := r.linear(p+"mlp.gate_proj.weight", h), r.linear(p+"mlp.up_proj.weight", h)
			for i := range g {
				g[i] = g[i] / float32(1+math.Exp(-float64(g[i]))) * u[i]
			}
			d := r.linear(p+"mlp.down_proj.weight", g)
			for i := range x {
				x[i] += d[i]
			}
		}
		head := "lm_head.weight"
		if c.TieWordEmbeddings {
			head = "model.embed_tokens.weight"
		}
		out = append(out, r.linear(head, r.rmsnorm("model.norm.weight", x)))
	}
	return out
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestExportSafetensorsMatchesHFLayout exports a synthetic model and runs
// the Hugging Face-convention reference over the export: its logits must
// match the engine's on the GGUF at every prompt position.
func TestExportSafetensorsMatchesHFLayout(t *testing.T) {
	m, err := Load(synthBytes(t, gguf.F32, 1))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var last, total int64
	if err := m.ExportSafetensors(dir, ExportOptions{Progress: func(d, n int64) { last, total = d, n }}); err != nil {
		t.Fatal(err)
	}
	if last != total || total == 0 {
		t.Fatalf("progress ended at %d of %d", last, total)
	}
	js, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg HFConfig
	if err := json.Unmarshal(js, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.HiddenSize != m.Dim || cfg.NumKeyValueHeads != m.KVHeads || cfg.RMSNormEps != 1e-5 || cfg.TorchDType != "float32" {
		t.Fatalf("config %+v", cfg)
	}
	b, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 9*m.Layers + 1 + 1; len(f.Tensors) != want {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), want)
	}
	prompt := m.Tok.Encode("The quick brown fox", true, false)
	want := hfRef{cfg: cfg, f: f, t: t}.logits(prompt)
	setAttention(t, m, "f32", false) // the reference keeps its keys and values in float32
	seq := m.NewSeq(len(prompt))
	rows := make([]Row, len(prompt))
	for i, id := range prompt {
		rows[i] = Row{Seq: seq, Token: id, Logits: true}
	}
	got, err := m.Forward(rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	for p := range want {
		d, scale := logitDiff(want[p], got[p])
		if d > 1e-4*scale {
			t.Fatalf("position %d: max |Δlogit| %g against max |logit| %g", p, d, scale)
		}
	}
}

// TestExportKeepsHalfBits checks that an f16 file exports bit for bit
// (no rounding through f32) and that another type can be asked for.
func TestExportKeepsHalfBits(t *testing.T) {
	m, err := Load(synthBytes(t, gguf.F16, 1))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.ExportSafetensors(dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	f, err := safetensors.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	tt, _ := f.Tensor("model.layers.0.mlp.up_proj.weight")
	if tt.DType != "F16" || string(f.Data(tt)) != string(m.layers[0].wUp.Data) {
		t.Fatalf("up_proj: %s, bytes differ from the GGUF's", tt.DType)
	}
	if err := m.ExportSafetensors(dir, ExportOptions{DType: "int4"}); err == nil {
		t.Fatal("export to int4 accepted")
	}
	if err := m.ExportSafetensors(dir, ExportOptions{DType: "bf16"}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if f, err = safetensors.Decode(b); err != nil {
		t.Fatal(err)
	}
	tt, _ = f.Tensor("model.norm.weight")
	if tt.DType != "BF16" {
		t.Fatalf("norm exported as %s, want BF16", tt.DType)
	}
}

// TestExportRefusesBeyondLlama: Qwen's biases and NEOX rope, and Llama
// 3.1's frequency factors, are not written, so such models are refused.
func TestExportRefusesBeyondLlama(t *testing.T) {
	for _, preset := range []string{"qwen2-tiny", "llama31-tiny"} {
		m, err := Load(synthPreset(t, preset, gguf.F32, 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.ExportSafetensors(t.TempDir(), ExportOptions{}); err == nil {
			t.Errorf("%s exported", preset)
		}
	}
}
