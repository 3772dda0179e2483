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
	Quant  gguf.TensorType // the matrices' type (Quants); norms stay F32
	Seed   uint64
}

// MistralTemplate is the chat template of the synthetic models: Mistral's
// [INST] format, which the builtin engine implements natively.
const MistralTemplate = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}"

// fileTypes maps a matrix type to llama.cpp's general.file_type (for the
// K-quants, the _S variant: every matrix of one type).
var fileTypes = map[gguf.TensorType]uint32{gguf.F32: 0, gguf.F16: 1, gguf.Q4_0: 2, gguf.Q8_0: 7, gguf.Q5_0: 8, gguf.Q5_1: 9,
	gguf.Q4_K: 14, gguf.Q5_K: 16, gguf.Q6_K: 18, gguf.BF16: 32}

// Quants lists the matrix types Write accepts.
var Quants = []gguf.TensorType{gguf.F32, gguf.F16, gguf.BF16, gguf.Q8_0, gguf.Q4_0, gguf.Q5_0, gguf.Q5_1, gguf.Q4_K, gguf.Q5_K, gguf.Q6_K}

// kFallback is the type llama.cpp's quantizer gives a matrix whose rows
// are not a multiple of 256 wide when a K-quant was asked for.
var kFallback = map[gguf.TensorType]gguf.TensorType{gguf.Q4_K: gguf.Q5_0, gguf.Q5_K: gguf.Q5_1, gguf.Q6_K: gguf.Q8_0}

// Write writes the model selected by o to w.
func Write(w io.Writer, o Options) error {
	p, err := LookupPreset(o.Preset)
	if err != nil {
		return err
	}
	ft, ok := fileTypes[o.Quant]
	if !ok {
		return fmt.Errorf("synth: unsupported quantization %s (want one of %v)", o.Quant, Quants)
	}
	voc, err := tokenizer.Builtin(p.Tokenizer)
	if err != nil {
		return err
	}
	if voc.ChatTemplate == "" {
		voc.ChatTemplate = MistralTemplate
	}
	if p.Pre != "" {
		voc.Pre = p.Pre
	}
	if p.NoBOS {
		voc.AddBOS = false
	}
	arch := p.Arch
	if arch == "" {
		arch = "llama"
	}
	headDim := p.Dim / p.Heads
	if p.HeadDim != 0 {
		headDim = p.HeadDim
	}
	qDim, kvDim := headDim*p.Heads, headDim*p.KVHeads
	general := []gguf.KV{
		{Key: "general.architecture", Value: arch},
		{Key: "general.name", Value: fmt.Sprintf("tao-synthetic-%s-%s-seed%d", p.Name, o.Quant, o.Seed)},
		{Key: "general.description", Value: "Synthetic model written by tao: real " + arch + " architecture and tokenizer, seeded random weights. Not trained: its text is meaningless."},
		{Key: "general.file_type", Value: ft},
		{Key: "general.quantization_version", Value: uint32(2)},
		{Key: "tao.synthetic.preset", Value: p.Name},
		{Key: "tao.synthetic.seed", Value: o.Seed},
	}
	a := arch + "."
	hp := []gguf.KV{
		{Key: a + "vocab_size", Value: uint32(len(voc.Tokens))},
		{Key: a + "context_length", Value: uint32(p.Ctx)},
		{Key: a + "embedding_length", Value: uint32(p.Dim)},
		{Key: a + "block_count", Value: uint32(p.Layers)},
		{Key: a + "feed_forward_length", Value: uint32(p.FFN)},
		{Key: a + "rope.dimension_count", Value: uint32(headDim)},
		{Key: a + "attention.head_count", Value: uint32(p.Heads)},
		{Key: a + "attention.head_count_kv", Value: uint32(p.KVHeads)},
		{Key: a + "attention.layer_norm_rms_epsilon", Value: p.NormEps},
		{Key: a + "rope.freq_base", Value: p.RopeBase},
	}
	if p.HeadDim != 0 {
		hp = append(hp, gguf.KV{Key: a + "attention.key_length", Value: uint32(headDim)}, gguf.KV{Key: a + "attention.value_length", Value: uint32(headDim)})
	}
	if p.RopeLinear != 0 {
		hp = append(hp, gguf.KV{Key: a + "rope.scaling.type", Value: "linear"}, gguf.KV{Key: a + "rope.scaling.factor", Value: p.RopeLinear})
	}
	if p.Yarn != 0 {
		hp = append(hp, gguf.KV{Key: a + "rope.scaling.type", Value: "yarn"}, gguf.KV{Key: a + "rope.scaling.factor", Value: p.Yarn},
			gguf.KV{Key: a + "rope.scaling.original_context_length", Value: uint32(p.YarnOrigCtx)})
	}
	var kv []gguf.KV
	if p.Foreign {
		// Tokenizer first, hyperparameters backwards without the keys
		// llama.cpp defaults, general last, a 64-byte alignment.
		kv = append(kv, voc.KV()...)
		for i := len(hp) - 1; i >= 0; i-- {
			switch hp[i].Key {
			case a + "vocab_size", a + "rope.dimension_count", a + "attention.head_count_kv":
				continue
			}
			kv = append(kv, hp[i])
		}
		kv = append(kv, general...)
		kv = append(kv, gguf.KV{Key: "general.alignment", Value: uint32(64)})
	} else {
		kv = append(append(general, hp...), voc.KV()...)
	}

	// Scales keep activations sane: unit-variance embeddings, matrices
	// with std 1/sqrt(fan_in), residual projections shrunk by
	// 1/sqrt(2*layers), and an output layer whose logits have std ~3 so
	// that greedy decoding has clear winners. Biases have std 0.5, enough
	// to change every attention pattern.
	n := len(voc.Tokens)
	resid := 1 / math.Sqrt(float64(2*p.Layers))
	type spec struct {
		name       string
		cols, rows int // ne0 (input), ne1 (output)
		std        float64
		norm       bool      // 1-D F32, values near 1
		vec        bool      // 1-D F32, values of std
		fixed      []float32 // 1-D F32, these values
	}
	// A tied output layer is the embedding, so it gets the output
	// layer's scale (logits of std ~1), and the blocks' residual
	// projections are 8 times larger: otherwise the input token's own
	// embedding dominates the residual stream and every greedy step
	// repeats its input.
	embStd := 1.0
	if p.Tied {
		embStd = 1 / math.Sqrt(float64(p.Dim))
		resid *= 8
	}
	specs := []spec{{name: "token_embd.weight", cols: p.Dim, rows: n, std: embStd}}
	if p.RopeFreqs {
		ff := llama31RopeFactors(headDim, p.RopeBase)
		specs = append(specs, spec{name: "rope_freqs.weight", cols: len(ff), fixed: ff})
	}
	for l := range p.Layers {
		b := fmt.Sprintf("blk.%d.", l)
		is := 1 / math.Sqrt(float64(p.Dim))
		specs = append(specs,
			spec{name: b + "attn_norm.weight", cols: p.Dim, norm: true},
			spec{name: b + "attn_q.weight", cols: p.Dim, rows: qDim, std: is},
			spec{name: b + "attn_k.weight", cols: p.Dim, rows: kvDim, std: is},
			spec{name: b + "attn_v.weight", cols: p.Dim, rows: kvDim, std: is},
		)
		switch arch {
		case "qwen2":
			specs = append(specs,
				spec{name: b + "attn_q.bias", cols: qDim, vec: true, std: 0.5},
				spec{name: b + "attn_k.bias", cols: kvDim, vec: true, std: 0.5},
				spec{name: b + "attn_v.bias", cols: kvDim, vec: true, std: 0.5},
			)
		case "qwen3":
			specs = append(specs,
				spec{name: b + "attn_q_norm.weight", cols: headDim, norm: true},
				spec{name: b + "attn_k_norm.weight", cols: headDim, norm: true},
			)
		}
		specs = append(specs,
			spec{name: b + "attn_output.weight", cols: qDim, rows: p.Dim, std: 1 / math.Sqrt(float64(qDim)) * resid},
			spec{name: b + "ffn_norm.weight", cols: p.Dim, norm: true},
			spec{name: b + "ffn_gate.weight", cols: p.Dim, rows: p.FFN, std: is},
			spec{name: b + "ffn_up.weight", cols: p.Dim, rows: p.FFN, std: is},
			spec{name: b + "ffn_down.weight", cols: p.FFN, rows: p.Dim, std: resid / math.Sqrt(float64(p.FFN))},
		)
	}
	specs = append(specs, spec{name: "output_norm.weight", cols: p.Dim, norm: true})
	if !p.Tied {
		specs = append(specs, spec{name: "output.weight", cols: p.Dim, rows: n, std: 3 / math.Sqrt(float64(p.Dim))})
	}
	infos := make([]gguf.TensorInfo, len(specs))
	for i, s := range specs {
		ty := o.Quant
		if fb, ok := kFallback[ty]; ok && s.cols%gguf.QKK != 0 {
			ty = fb
		}
		if s.cols%ty.BlockSize() != 0 {
			ty = gguf.F16 // synth's own fallback: llama.cpp's quantizer refuses such a tensor
		}
		infos[i] = gguf.TensorInfo{Name: s.name, Type: ty, Dims: []uint64{uint64(s.cols), uint64(s.rows)}}
		if s.norm || s.vec || s.fixed != nil {
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
				if s.fixed != nil {
					b, err = gguf.Quantize(nil, gguf.F32, s.fixed)
				}
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

// llama31RopeFactors are the rope frequency factors llama.cpp's converter
// writes for rope_type llama3 with Llama 3.1's parameters (factor 8, low
// frequency factor 1, high frequency factor 4, original context 8192):
// 1 for short wavelengths, 8 for long ones, smoothly in between.
func llama31RopeFactors(headDim int, base float32) []float32 {
	const factor, low, high, orig = 8.0, 1.0, 4.0, 8192.0
	lowWave, highWave := orig/low, orig/high
	out := make([]float32, headDim/2)
	for i := range out {
		freq := float64(float32(1 / math.Pow(float64(base), float64(2*i)/float64(headDim))))
		wave := 2 * math.Pi / freq
		switch {
		case wave < highWave:
			out[i] = 1
		case wave > lowWave:
			out[i] = factor
		default:
			smooth := (orig/wave - low) / (high - low)
			out[i] = float32(1 / ((1-smooth)/factor + smooth))
		}
	}
	return out
}
