package llama

import (
	"errors"
	"fmt"
	"strings"

	"github.com/taonet/tao/inference/gguf"
)

// loadLayers reads every block's tensors, the optional ones (biases, Qwen3's
// q/k norms) where the file has them, and the global rope_freqs.weight.
func (m *Model) loadLayers(f *gguf.File) error {
	c := m.Config
	kv, qd := c.KVDim(), c.QDim()
	if _, ok := f.Tensor("rope_freqs.weight"); ok {
		ff, err := vector(f, "rope_freqs.weight", c.RopeDim/2)
		if err != nil {
			return err
		}
		for i, v := range ff {
			// ggml divides the angle by the factor; a zero, negative or
			// NaN factor can only come from a corrupt file.
			if !(v > 0) || v > 1e6 {
				return fmt.Errorf("llama: rope_freqs.weight[%d] = %v is not a positive factor", i, v)
			}
		}
		m.ropeFreqs = ff
	}
	for l := range c.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		var ly layer
		var err error
		for _, t := range []struct {
			dst        **Matrix
			bias       *[]float32
			name       string
			cols, rows int
		}{
			{&ly.wq, &ly.bq, "attn_q", c.Dim, qd}, {&ly.wk, &ly.bk, "attn_k", c.Dim, kv}, {&ly.wv, &ly.bv, "attn_v", c.Dim, kv},
			{&ly.wo, &ly.bo, "attn_output", qd, c.Dim}, {&ly.wGate, &ly.bGate, "ffn_gate", c.Dim, c.FFN},
			{&ly.wUp, &ly.bUp, "ffn_up", c.Dim, c.FFN}, {&ly.wDown, &ly.bDown, "ffn_down", c.FFN, c.Dim},
		} {
			if *t.dst, err = newMatrix(f, p+t.name+".weight", t.cols, t.rows); err != nil {
				if strings.HasPrefix(t.name, "ffn_") {
					if _, moe := f.Tensor(p + t.name + "_exps.weight"); moe {
						return fmt.Errorf("llama: %s has expert tensors (mixture of experts), which the builtin engine does not run; serve it with --engine openai", p)
					}
				}
				return err
			}
			if w := *t.dst; w.Type == gguf.Q4_0 && w.Rows%8 != 0 {
				*t.dst = plainQ4(w) // llama.cpp repacks Q4_0 rows by eights
			}
			*t.dst = asQ8(*t.dst)
			if *t.bias, err = optionalVector(f, p+t.name+".bias", t.rows); err != nil {
				return err
			}
		}
		if c.Arch == "qwen2" && (ly.bq == nil || ly.bk == nil || ly.bv == nil) {
			return fmt.Errorf("llama: qwen2 model lacks %sattn_{q,k,v}.bias (the file is incomplete or not qwen2)", p)
		}
		if ly.attnNorm, err = vector(f, p+"attn_norm.weight", c.Dim); err != nil {
			return err
		}
		if ly.ffnNorm, err = vector(f, p+"ffn_norm.weight", c.Dim); err != nil {
			return err
		}
		if ly.qNorm, err = optionalVector(f, p+"attn_q_norm.weight", c.HeadDim); err != nil {
			return err
		}
		if ly.kNorm, err = optionalVector(f, p+"attn_k_norm.weight", c.HeadDim); err != nil {
			return err
		}
		if c.Arch == "qwen3" && (ly.qNorm == nil || ly.kNorm == nil) {
			return fmt.Errorf("llama: qwen3 model lacks %sattn_{q,k}_norm.weight (the file is incomplete or not qwen3)", p)
		}
		if (ly.qNorm == nil) != (ly.kNorm == nil) {
			return fmt.Errorf("llama: %s has only one of attn_q_norm and attn_k_norm", p)
		}
		m.layers = append(m.layers, ly)
	}
	return nil
}

// optionalVector is vector for a tensor the file may omit (nil, nil).
func optionalVector(f *gguf.File, name string, n int) ([]float32, error) {
	if _, ok := f.Tensor(name); !ok {
		return nil, nil
	}
	return vector(f, name, n)
}

// ErrCPUOnly marks ToDevice's refusal of a model that uses features only
// the CPU path implements (a caller choosing the device automatically can
// fall back to the CPU on it).
var ErrCPUOnly = errors.New("llama: model needs the CPU engine")

// cpuOnly names the features of m that only the CPU path implements, or
// returns "" when the CUDA backend can run it.
func (m *Model) cpuOnly() string { return m.beyondLlama(true) }

// beyondLlama lists what the model uses beyond a plain llama (the
// features of Qwen and rope variants), and, with wideQuery, a query
// width other than the embedding's.
func (m *Model) beyondLlama(wideQuery bool) string {
	var why []string
	if m.RopeNeox {
		why = append(why, "NEOX rotary embeddings ("+m.Arch+")")
	}
	if m.ropeFreqs != nil {
		why = append(why, "rope frequency factors (rope_freqs.weight)")
	}
	if m.RopeScale != 1 {
		why = append(why, "rope scaling (linear or YaRN)")
	}
	if wideQuery && m.QDim() != m.Dim {
		why = append(why, fmt.Sprintf("a query width (%d heads × %d) other than the embedding length %d", m.Heads, m.HeadDim, m.Dim))
	}
	var bias, norm bool
	for _, ly := range m.layers {
		bias = bias || ly.bq != nil || ly.bk != nil || ly.bv != nil || ly.bo != nil || ly.bGate != nil || ly.bUp != nil || ly.bDown != nil
		norm = norm || ly.qNorm != nil
	}
	if bias {
		why = append(why, "projection biases")
	}
	if norm {
		why = append(why, "q/k norms")
	}
	return strings.Join(why, ", ")
}
