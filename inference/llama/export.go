package llama

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/safetensors"
)

// ExportOptions selects what ExportSafetensors writes.
type ExportOptions struct {
	// DType is the weights' type in the export: "bf16", "f16" or "f32";
	// "" keeps f16 and bf16 files as they are and writes every other type
	// (f32 and the quantized ones, dequantized) as f32.
	DType string
	// Progress, if set, is called as weight bytes are written.
	Progress func(done, total int64)
}

// HFConfig is the config.json of a Hugging Face LlamaForCausalLM
// (transformers' LlamaConfig) with this model's shape.
type HFConfig struct {
	Architectures         []string `json:"architectures"`
	ModelType             string   `json:"model_type"`
	HiddenSize            int      `json:"hidden_size"`
	IntermediateSize      int      `json:"intermediate_size"`
	NumHiddenLayers       int      `json:"num_hidden_layers"`
	NumAttentionHeads     int      `json:"num_attention_heads"`
	NumKeyValueHeads      int      `json:"num_key_value_heads"`
	HeadDim               int      `json:"head_dim"`
	VocabSize             int      `json:"vocab_size"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	RMSNormEps            float64  `json:"rms_norm_eps"`
	RopeTheta             float64  `json:"rope_theta"`
	HiddenAct             string   `json:"hidden_act"`
	AttentionBias         bool     `json:"attention_bias"`
	MLPBias               bool     `json:"mlp_bias"`
	TieWordEmbeddings     bool     `json:"tie_word_embeddings"`
	BOSTokenID            int32    `json:"bos_token_id"`
	EOSTokenID            int32    `json:"eos_token_id"`
	TorchDType            string   `json:"torch_dtype"`
}

// exportTensor is one tensor of the export: a matrix (rows permuted from
// GGUF's rotary layout for q and k) or a norm vector.
type exportTensor struct {
	name  string
	m     *Matrix
	vec   []float32
	heads int // > 0: undo llama.cpp's q/k permutation over this many heads
}

// ExportSafetensors writes the model as a Hugging Face checkpoint in dir:
// config.json (LlamaConfig) and model.safetensors with transformers'
// tensor names. GGUF stores q and k with each head's rows interleaved for
// rotary pairs (x[2i], x[2i+1]), as llama.cpp's converter permutes them;
// transformers rotates halves (x[i], x[i+d/2]), so those rows are put back
// in Hugging Face order. Quantized weights are dequantized. Files are
// written under temporary names and renamed when complete.
func (m *Model) ExportSafetensors(dir string, o ExportOptions) error {
	if m.Arch != "llama" && m.Arch != "mistral" {
		return fmt.Errorf("llama: export supports llama-architecture models, not %q", m.Arch)
	}
	// LlamaConfig has head_dim, so a query wider than the embedding
	// exports; biases, q/k norms and rope variants are not written.
	if why := m.beyondLlama(false); why != "" {
		return fmt.Errorf("llama: export writes plain llama checkpoints; this model has %s", why)
	}
	if m.RopeDim != m.HeadDim {
		return fmt.Errorf("llama: export needs rotary embeddings over the whole head (rope dimension %d, head %d)", m.RopeDim, m.HeadDim)
	}
	st, torch, err := exportDType(o.DType, m.layers[0].wq.Type)
	if err != nil {
		return err
	}
	tied := m.tied
	var ts []exportTensor
	ts = append(ts, exportTensor{name: "model.embed_tokens.weight", m: m.embd})
	for l, ly := range m.layers {
		p := fmt.Sprintf("model.layers.%d.", l)
		ts = append(ts,
			exportTensor{name: p + "input_layernorm.weight", vec: ly.attnNorm},
			exportTensor{name: p + "self_attn.q_proj.weight", m: ly.wq, heads: m.Heads},
			exportTensor{name: p + "self_attn.k_proj.weight", m: ly.wk, heads: m.KVHeads},
			exportTensor{name: p + "self_attn.v_proj.weight", m: ly.wv},
			exportTensor{name: p + "self_attn.o_proj.weight", m: ly.wo},
			exportTensor{name: p + "post_attention_layernorm.weight", vec: ly.ffnNorm},
			exportTensor{name: p + "mlp.gate_proj.weight", m: ly.wGate},
			exportTensor{name: p + "mlp.up_proj.weight", m: ly.wUp},
			exportTensor{name: p + "mlp.down_proj.weight", m: ly.wDown},
		)
	}
	ts = append(ts, exportTensor{name: "model.norm.weight", vec: m.outNorm})
	if !tied {
		ts = append(ts, exportTensor{name: "lm_head.weight", m: m.output})
	}
	infos := make([]safetensors.Tensor, len(ts))
	var total int64
	for i, t := range ts {
		infos[i] = safetensors.Tensor{Name: t.name, DType: st}
		if t.m != nil {
			infos[i].Shape = []int64{int64(t.m.Rows), int64(t.m.Cols)}
		} else {
			infos[i].Shape = []int64{int64(len(t.vec))}
		}
		n, _ := infos[i].Bytes()
		total += n
	}

	cfg := HFConfig{
		Architectures: []string{"LlamaForCausalLM"}, ModelType: "llama",
		HiddenSize: m.Dim, IntermediateSize: m.FFN, NumHiddenLayers: m.Layers,
		NumAttentionHeads: m.Heads, NumKeyValueHeads: m.KVHeads, HeadDim: m.HeadDim,
		VocabSize: m.Vocab, MaxPositionEmbeddings: m.Ctx,
		RMSNormEps: roundF32(m.NormEps), RopeTheta: roundF32(m.RopeBase),
		HiddenAct: "silu", TieWordEmbeddings: tied, TorchDType: torch,
	}
	if m.Tok != nil {
		cfg.BOSTokenID, cfg.EOSTokenID = m.Tok.Vocab().BOS, m.Tok.Vocab().EOS
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "config.json"), func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	}); err != nil {
		return err
	}
	meta := map[string]string{"format": "pt", "source": "tao model export"}
	var done int64
	return writeAtomic(filepath.Join(dir, "model.safetensors"), func(w io.Writer) error {
		return safetensors.Write(w, infos, meta, func(i int, w io.Writer) error {
			err := ts[i].write(w, st)
			done += infos[i].End - infos[i].Begin
			if o.Progress != nil {
				o.Progress(done, total)
			}
			return err
		})
	})
}

// roundF32 widens a float32 to the float64 with the shortest decimal form
// that rounds back to it (1e-5, not 9.999999747378752e-06), as a Python
// config expects.
func roundF32(v float32) float64 {
	var f float64
	_, _ = fmt.Sscan(fmt.Sprint(v), &f)
	return f
}

func exportDType(want string, have gguf.TensorType) (st, torch string, err error) {
	if want == "" {
		switch have {
		case gguf.F16:
			want = "f16"
		case gguf.BF16:
			want = "bf16"
		default:
			want = "f32"
		}
	}
	switch want {
	case "bf16":
		return "BF16", "bfloat16", nil
	case "f16":
		return "F16", "float16", nil
	case "f32":
		return "F32", "float32", nil
	}
	return "", "", fmt.Errorf("llama: export type %q: want bf16, f16 or f32", want)
}

// write encodes the tensor as st, row by row.
func (t exportTensor) write(w io.Writer, st string) error {
	if t.m == nil {
		return writeRow(w, nil, t.vec, st)
	}
	m := t.m
	row := make([]float32, m.Cols)
	buf := make([]byte, 0, 4*m.Cols)
	// Rows of the file's type are copied as they are when the export has
	// that type (no rounding through f32).
	same := st == "F16" && m.Type == gguf.F16 || st == "BF16" && m.Type == gguf.BF16 || st == "F32" && m.Type == gguf.F32
	hd := 0
	if t.heads > 0 {
		hd = m.Rows / t.heads
	}
	for r := range m.Rows {
		src := r
		if hd > 0 {
			// Hugging Face row h·hd + s·hd/2 + j is GGUF row h·hd + 2j + s.
			h, in := r/hd, r%hd
			s, j := in/(hd/2), in%(hd/2)
			src = h*hd + 2*j + s
		}
		var err error
		if same {
			_, err = w.Write(m.Data[src*m.rowBytes : (src+1)*m.rowBytes])
		} else {
			m.Row(row, src)
			err = writeRow(w, buf[:0], row, st)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeRow appends row encoded as st to buf and writes it.
func writeRow(w io.Writer, buf []byte, row []float32, st string) error {
	for _, v := range row {
		switch st {
		case "F32":
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		case "F16":
			buf = binary.LittleEndian.AppendUint16(buf, gguf.F32ToF16(v))
		case "BF16":
			buf = binary.LittleEndian.AppendUint16(buf, gguf.F32ToBF16(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// writeAtomic writes path through a temporary file in its directory,
// renamed into place once complete.
func writeAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
