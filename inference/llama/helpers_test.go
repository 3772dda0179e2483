package llama

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
)

// synthCache holds synthesized model bytes per (quant, seed) for the test
// binary: synthesis takes about a second.
var synthCache sync.Map

func synthBytes(t testing.TB, q gguf.TensorType, seed uint64) []byte {
	return synthPreset(t, "", q, seed)
}

// synthPreset synthesizes a preset ("" means stories15m), cached.
func synthPreset(t testing.TB, preset string, q gguf.TensorType, seed uint64) []byte {
	t.Helper()
	if preset == "" {
		preset = "stories15m"
	}
	key := fmt.Sprint(preset, q, seed)
	if b, ok := synthCache.Load(key); ok {
		return b.([]byte)
	}
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Preset: preset, Quant: q, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	synthCache.Store(key, buf.Bytes())
	return buf.Bytes()
}

func loadSynth(t testing.TB, q gguf.TensorType, seed uint64) *Model {
	t.Helper()
	m, err := Load(synthBytes(t, q, seed))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// greedy evaluates prompt then takes n greedy steps, returning the tokens
// and the log-softmax at each step.
func greedy(t testing.TB, m *Model, prompt []int32, n, threads int) ([]int32, [][]float32) {
	t.Helper()
	seq := m.NewSeq(len(prompt) + n)
	rows := make([]Row, len(prompt))
	for i, id := range prompt {
		rows[i] = Row{Seq: seq, Token: id, Logits: i == len(prompt)-1}
	}
	var toks []int32
	var lps [][]float32
	for range n {
		out, err := m.Forward(rows, threads)
		if err != nil {
			t.Fatal(err)
		}
		lp := LogSoftmax(out[0])
		best := Argmax(lp)
		toks = append(toks, int32(best))
		lps = append(lps, lp)
		rows = []Row{{Seq: seq, Token: int32(best), Logits: true}}
	}
	return toks, lps
}

// feed appends toks to seq in one Forward call and returns the logits
// after the last.
func feed(t testing.TB, m *Model, seq *Seq, toks []int32) []float32 {
	t.Helper()
	rows := make([]Row, len(toks))
	for i, tok := range toks {
		rows[i] = Row{Seq: seq, Token: tok, Logits: i == len(toks)-1}
	}
	out, err := m.Forward(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	return out[len(out)-1]
}

// logitsSHA256 is the hex SHA-256 of x as little-endian float32 bits, the
// form llama.cpp's tensors are hashed in (testdata/llamacpp-logits-sha256.json).
func logitsSHA256(x []float32) string {
	buf := make([]byte, 0, 4*len(x))
	for _, v := range x {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	return fmt.Sprintf("%x", sha256.Sum256(buf))
}

// setAttention sets m's KV cache type to kv ("f16", or "f32" when empty)
// and its flash attention, as the llama.cpp references the test compares
// with were made.
func setAttention(t testing.TB, m *Model, kv string, flash bool) {
	t.Helper()
	typ := gguf.F32
	if kv == "f16" {
		typ = gguf.F16
	}
	if err := m.SetKVCacheType(typ); err != nil {
		t.Fatal(err)
	}
	m.SetFlashAttention(flash)
}
