package llama

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

// tiny describes a small model file of any supported architecture, for
// tests that vary its metadata and tensors one at a time.
type tiny struct {
	arch                   string
	dim, heads, kvHeads    int
	headDim                int // 0: dim/heads, and no key_length key
	ffn                    int
	tied, bias, qkNorm     bool
	ropeFreqs              bool
	extra                  []gguf.KV // appended to the metadata, after drop
	drop                   []string  // metadata keys left out
	reverse                bool      // metadata in reverse order
	alignment              uint32    // 0: the default
	quant                  gguf.TensorType
	perLayerKVHeadsAsArray bool
	reshape                func(*gguf.TensorInfo) // nil: tensors as encodeTestModel shapes them
}

type tspec struct {
	name       string
	cols, rows int // rows 0: a 1-D F32 vector
}

func (o tiny) bytes(t testing.TB) []byte {
	t.Helper()
	v := &tokenizer.Vocab{Model: "llama", BOS: 1, EOS: 2, UNK: 0, AddBOS: true}
	v.Tokens = []string{"<unk>", "<s>", "</s>"}
	v.Types = []int32{2, 3, 3}
	for b := range 256 {
		v.Tokens = append(v.Tokens, fmt.Sprintf("<0x%02X>", b))
		v.Types = append(v.Types, tokenizer.TypeByte)
	}
	v.Tokens = append(v.Tokens, "\u2581", "a", "\u2581a")
	v.Types = append(v.Types, 1, 1, 1)
	v.Scores = make([]float32, len(v.Tokens))
	a := o.arch + "."
	hd := o.headDim
	if hd == 0 {
		hd = o.dim / o.heads
	}
	kv := []gguf.KV{
		{Key: "general.architecture", Value: o.arch},
		{Key: a + "context_length", Value: uint32(32)},
		{Key: a + "embedding_length", Value: uint32(o.dim)},
		{Key: a + "block_count", Value: uint32(2)},
		{Key: a + "feed_forward_length", Value: uint32(o.ffn)},
		{Key: a + "attention.head_count", Value: uint32(o.heads)},
		{Key: a + "attention.head_count_kv", Value: uint32(o.kvHeads)},
		{Key: a + "attention.layer_norm_rms_epsilon", Value: float32(1e-6)},
		{Key: a + "rope.freq_base", Value: float32(10000)},
	}
	if o.perLayerKVHeadsAsArray {
		kv[6].Value = gguf.Array{Elem: gguf.TypeInt32, Values: []int32{int32(o.kvHeads), int32(o.kvHeads)}}
	}
	if o.headDim != 0 {
		kv = append(kv, gguf.KV{Key: a + "attention.key_length", Value: uint32(hd)}, gguf.KV{Key: a + "attention.value_length", Value: uint32(hd)})
	}
	if o.alignment != 0 {
		kv = append(kv, gguf.KV{Key: "general.alignment", Value: o.alignment})
	}
	kv = append(kv, v.KV()...)
	kv = slices.DeleteFunc(kv, func(e gguf.KV) bool { return slices.Contains(o.drop, e.Key) })
	kv = append(kv, o.extra...)
	if o.reverse {
		slices.Reverse(kv)
	}
	n, qd, kvd := len(v.Tokens), o.heads*hd, o.kvHeads*hd
	specs := []tspec{{"token_embd.weight", o.dim, n}, {"output_norm.weight", o.dim, 0}}
	if !o.tied {
		specs = append(specs, tspec{"output.weight", o.dim, n})
	}
	if o.ropeFreqs {
		specs = append(specs, tspec{"rope_freqs.weight", hd / 2, 0})
	}
	for l := range 2 {
		p := fmt.Sprintf("blk.%d.", l)
		specs = append(specs, tspec{p + "attn_norm.weight", o.dim, 0}, tspec{p + "attn_q.weight", o.dim, qd},
			tspec{p + "attn_k.weight", o.dim, kvd}, tspec{p + "attn_v.weight", o.dim, kvd},
			tspec{p + "attn_output.weight", qd, o.dim}, tspec{p + "ffn_norm.weight", o.dim, 0},
			tspec{p + "ffn_gate.weight", o.dim, o.ffn}, tspec{p + "ffn_up.weight", o.dim, o.ffn},
			tspec{p + "ffn_down.weight", o.ffn, o.dim})
		if o.bias {
			specs = append(specs, tspec{p + "attn_q.bias", qd, 0}, tspec{p + "attn_k.bias", kvd, 0}, tspec{p + "attn_v.bias", kvd, 0})
		}
		if o.qkNorm {
			specs = append(specs, tspec{p + "attn_q_norm.weight", hd, 0}, tspec{p + "attn_k_norm.weight", hd, 0})
		}
	}
	return encodeTestModel(t, kv, specs, o.quant, true, o.reshape)
}

// encodeTestModel writes a GGUF of the given tensors: matrices of type q
// (1-D tensors F32) filled with a fixed pattern; with nearOne, 1-D
// tensors (norms, rope factors, biases) hold values near 1. A non-nil
// reshape may rewrite each tensor's dims (keeping the element count).
func encodeTestModel(t testing.TB, kv []gguf.KV, specs []tspec, q gguf.TensorType, nearOne bool, reshape ...func(*gguf.TensorInfo)) []byte {
	t.Helper()
	var infos []gguf.TensorInfo
	for _, s := range specs {
		ti := gguf.TensorInfo{Name: s.name, Type: q, Dims: []uint64{uint64(s.cols), uint64(s.rows)}}
		if s.rows == 0 {
			ti = gguf.TensorInfo{Name: s.name, Type: gguf.F32, Dims: []uint64{uint64(s.cols)}}
		}
		for _, r := range reshape {
			if r != nil {
				r(&ti)
			}
		}
		infos = append(infos, ti)
	}
	var buf bytes.Buffer
	w, err := gguf.NewWriter(&buf, kv, infos)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		x := make([]float32, s.cols*max(s.rows, 1))
		for j := range x {
			x[j] = float32((i*7+j*13)%17-8) / 16
			if nearOne && s.rows == 0 {
				x[j] = 1 + x[j]/4
			}
		}
		b, err := gguf.Quantize(nil, infos[i].Type, x)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTensor(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tinyLlama, tinyQwen2 and tinyQwen3 are the base shapes the tests vary.
func tinyLlama() tiny { return tiny{arch: "llama", dim: 32, heads: 4, kvHeads: 2, ffn: 64} }
func tinyQwen2() tiny {
	return tiny{arch: "qwen2", dim: 32, heads: 4, kvHeads: 2, ffn: 64, tied: true, bias: true}
}
func tinyQwen3() tiny {
	return tiny{arch: "qwen3", dim: 32, heads: 4, kvHeads: 2, headDim: 16, ffn: 64, qkNorm: true}
}

// logitsOf loads b and returns the logits after a fixed 6-token prompt.
func logitsOf(t *testing.T, b []byte) []float32 {
	t.Helper()
	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return lastLogits(t, m)
}

func lastLogits(t *testing.T, m *Model) []float32 {
	t.Helper()
	seq := m.NewSeq(8)
	var rows []Row
	for i, id := range []int32{1, 259, 260, 261, 100, 261} {
		rows = append(rows, Row{Seq: seq, Token: id, Logits: i == 5})
	}
	out, err := m.Forward(rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, float64(a[i]-b[i]), float64(b[i]-a[i]))
	}
	return d
}
