package synth

import (
	"fmt"
	"io"
	"math"
	"runtime"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

// Options selects the model to write. The zero value is not valid: Preset
// is required; Quant defaults to F32 (the zero TensorType).
type Options struct {
	Preset string
	Quant  gguf.TensorType // F32, F16, BF16, Q8_0 or Q4_0 for the matrices; norms stay F32
	Seed   uint64
}

// MistralTemplate is the chat template of the synthetic models: Mistral's
// [INST] format, which the builtin engine implements natively.
const MistralTemplate = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}"

// fileTypes maps a matrix type to llama.cpp's general.file_type.
var fileTypes = map[gguf.TensorType]uint32{gguf.F32: 0, gguf.F16: 1, gguf.Q4_0: 2, gguf.Q8_0: 7, gguf.BF16: 32}

// Write writes the model selected by o to w.
func Write(w io.Writer, o Options) error {
	p, err := LookupPreset(o.Preset)
	if err != nil {
		return err
	}
	ft, ok := fileTypes[o.Quant]
	if !ok {
		return fmt.Errorf("synth: unsupported quantization %s (want f32, f16, bf16, q8_0 or q4_0)", o.Quant)
	}
	voc, err := tokenizer.Builtin(p.Tokenizer)
	if err != nil {
		return err
	}
	if voc.ChatTemplate == "" {
		voc.ChatTemplate = MistralTemplate
	}
	headDim := p.Dim / p.Heads
	kvDim := headDim * p.KVHeads
	kv := []gguf.KV{
		{Key: "general.architecture", Value: "llama"},
		{Key: "general.name", Value: fmt.Sprintf("tao-synthetic-%s-%s-seed%d", p.Name, o.Quant, o.Seed)},
		{Key: "general.description", Value: "Synthetic model written by tao: real llama architecture and tokenizer, seeded random weights. Not trained: its text is meaningless."},
		{Key: "general.file_type", Value: ft},
		{Key: "general.quantization_version", Value: uint32(2)},
		{Key: "tao.synthetic.preset", Value: p.Name},
		{Key: "tao.synthetic.seed", Value: o.Seed},
		{Key: "llama.vocab_size", Value: uint32(len(voc.Tokens))},
		{Key: "llama.context_length", Value: uint32(p.Ctx)},
		{Key: "llama.embedding_length", Value: uint32(p.Dim)},
		{Key: "llama.block_count", Value: uint32(p.Layers)},
		{Key: "llama.feed_forward_length", Value: uint32(p.FFN)},
		{Key: "llama.rope.dimension_count", Value: uint32(headDim)},
		{Key: "llama.attention.head_count", Value: uint32(p.Heads)},
		{Key: "llama.attention.head_count_kv", Value: uint32(p.KVHeads)},
		{Key: "llama.attention.layer_norm_rms_epsilon", Value: p.NormEps},
		{Key: "llama.rope.freq_base", Value: p.RopeBase},
	}
	kv = append(kv, voc.KV()...)

	// Scales keep activations sane: unit-variance embeddings, matrices
	// with std 1/sqrt(fan_in), residual projections shrunk by
	// 1/sqrt(2*layers), and an output layer whose logits have std ~3 so
	// that greedy decoding has clear winners.
	n := len(voc.Tokens)
	resid := 1 / math.Sqrt(float64(2*p.Layers))
	type spec struct {
		name       string
		cols, rows int // ne0 (input), ne1 (output)
		std        float64
		norm       bool
	}
	specs := []spec{{name: "token_embd.weight", cols: p.Dim, rows: n, std: 1}}
	for l := range p.Layers {
		b := fmt.Sprintf("blk.%d.", l)
		is := 1 / math.Sqrt(float64(p.Dim))
		specs = append(specs,
			spec{name: b + "attn_norm.weight", cols: p.Dim, norm: true},
			spec{name: b + "attn_q.weight", cols: p.Dim, rows: p.Dim, std: is},
			spec{name: b + "attn_k.weight", cols: p.Dim, rows: kvDim, std: is},
			spec{name: b + "attn_v.weight", cols: p.Dim, rows: kvDim, std: is},
			spec{name: b + "attn_output.weight", cols: p.Dim, rows: p.Dim, std: is * resid},
			spec{name: b + "ffn_norm.weight", cols: p.Dim, norm: true},
			spec{name: b + "ffn_gate.weight", cols: p.Dim, rows: p.FFN, std: is},
			spec{name: b + "ffn_up.weight", cols: p.Dim, rows: p.FFN, std: is},
			spec{name: b + "ffn_down.weight", cols: p.FFN, rows: p.Dim, std: resid / math.Sqrt(float64(p.FFN))},
		)
	}
	specs = append(specs,
		spec{name: "output_norm.weight", cols: p.Dim, norm: true},
		spec{name: "output.weight", cols: p.Dim, rows: n, std: 3 / math.Sqrt(float64(p.Dim))},
	)
	infos := make([]gguf.TensorInfo, len(specs))
	for i, s := range specs {
		infos[i] = gguf.TensorInfo{Name: s.name, Type: o.Quant, Dims: []uint64{uint64(s.cols), uint64(s.rows)}}
		if s.norm {
			infos[i] = gguf.TensorInfo{Name: s.name, Type: gguf.F32, Dims: []uint64{uint64(s.cols)}}
		}
	}
	gw, err := gguf.NewWriter(w, kv, infos)
	if err != nil {
		return err
	}
	// Tensors are generated in parallel (each from its own PRNG stream, so
	// the bytes do not depend on scheduling) and written in order; at most
	// GOMAXPROCS tensors are in flight.
	type result struct {
		b   []byte
		err error
	}
	results := make([]chan result, len(specs))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i, s := range specs {
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				b, err := tensorBytes(s.name, s.cols*max(s.rows, 1), infos[i].Type, s.std, s.norm, o.Seed)
				results[i] <- result{b, err}
			}()
		}
	}()
	for i := range specs {
		r := <-results[i]
		<-sem
		if r.err != nil {
			return r.err
		}
		if err := gw.WriteTensor(r.b); err != nil {
			return err
		}
	}
	return gw.Close()
}

// tensorBytes generates and encodes one tensor.
func tensorBytes(name string, n int, t gguf.TensorType, std float64, norm bool, seed uint64) ([]byte, error) {
	x := make([]float32, n)
	if norm {
		// Norm weights near 1, with a little seeded spread.
		normalish(x, seed, name, 0.1)
		for i := range x {
			x[i] += 1
		}
	} else {
		normalish(x, seed, name, std)
	}
	return gguf.Quantize(make([]byte, 0, t.RowBytes(n)), t, x)
}
