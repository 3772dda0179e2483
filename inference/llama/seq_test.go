package llama

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/taonet/tao/gpu/gputest"
	"github.com/taonet/tao/inference/gguf"
)

// TestSeqGrowsAsItFills: a CPU cache starts at seqInitialCap positions and
// grows as it fills; a sequence that grows (in a prompt batch that crosses
// the boundary, and then token by token) gives the logits, bit for bit,
// of one allocated whole, for every cache layout.
func TestSeqGrowsAsItFills(t *testing.T) {
	m := loadSynth(t, gguf.Q8_0, 1)
	n := m.Ctx
	if n <= 2*seqInitialCap-seqInitialCap/2 {
		t.Fatalf("context %d too short to grow twice from %d", n, seqInitialCap)
	}
	for _, c := range []struct {
		kv    string
		flash bool
	}{{"f16", true}, {"f16", false}, {"f32", false}} {
		t.Run(fmt.Sprintf("kv=%s/flash=%v", c.kv, c.flash), func(t *testing.T) {
			setAttention(t, m, c.kv, c.flash)
			grow := m.NewSeq(n)
			if grow.cap != seqInitialCap || grow.Cap() != n {
				t.Fatalf("new sequence: %d positions allocated, Cap %d; want %d, %d", grow.cap, grow.Cap(), seqInitialCap, n)
			}
			whole := &Seq{limit: n, flash: m.flashAttn}
			whole.alloc(m, n)
			growAlongside(t, m, grow, whole)
			if grow.cap != n {
				t.Fatalf("full: %d allocated, want %d", grow.cap, n)
			}
			if _, err := m.Forward([]Row{{Seq: grow, Token: 1, Logits: true}}, 1); err == nil {
				t.Fatal("a full sequence took one more position")
			}
		})
	}
}

// growAlongside feeds grow and whole the same tokens (a prompt that stops
// short of seqInitialCap, a batch across it, then one token at a time to
// the limit) and fails unless every pass gives both the same logits, bit
// for bit.
func growAlongside(t *testing.T, m *Model, grow, whole *Seq) {
	t.Helper()
	tok := int32(1)
	step := func(batch int) {
		t.Helper()
		var lg [2][]float32
		for i, s := range []*Seq{grow, whole} {
			rows := make([]Row, batch)
			for j := range rows {
				rows[j] = Row{Seq: s, Token: (tok + int32(j)*7) % int32(m.Vocab), Logits: j == batch-1}
			}
			out, err := m.Forward(rows, 2)
			if err != nil {
				t.Fatal(err)
			}
			lg[i] = out[0]
		}
		for k := range lg[0] {
			if math.Float32bits(lg[0][k]) != math.Float32bits(lg[1][k]) {
				t.Fatalf("after position %d: logit %d is %v growing, %v allocated whole", grow.Len()-1, k, lg[0][k], lg[1][k])
			}
		}
		tok = int32(Argmax(lg[0]))
	}
	step(seqInitialCap - 40) // a prompt
	step(80)                 // a batch across the first boundary
	if grow.cap != 2*seqInitialCap {
		t.Fatalf("after %d positions: %d allocated, want %d", grow.Len(), grow.cap, 2*seqInitialCap)
	}
	for grow.Len() < grow.Cap() {
		step(1)
	}
}

// TestSeqKeepsItsLayout: a sequence grows in the cache layout it was
// made with, even after the model's type for new sequences changed.
func TestSeqKeepsItsLayout(t *testing.T) {
	m := loadSynth(t, gguf.Q8_0, 1)
	setAttention(t, m, "f16", false)
	grow := m.NewSeq(m.Ctx)
	whole := &Seq{limit: m.Ctx, flash: m.flashAttn}
	whole.alloc(m, m.Ctx)
	setAttention(t, m, "f32", false) // for sequences made from now on
	growAlongside(t, m, grow, whole)
	if grow.k != nil || grow.k16 == nil {
		t.Fatal("the sequence changed its cache layout as it grew")
	}
}

// TestGPUSeqGrows: a GPU cache grows as the CPU's does (a new allocation,
// the positions held copied over) and gives the logits of one allocated
// whole.
func TestGPUSeqGrows(t *testing.T) {
	d := gputest.RequireCUDA(t)
	m := loadSynth(t, gguf.Q8_0, 1)
	if err := m.ToDevice(d); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n := m.Ctx
	grow := m.NewSeq(n)
	if grow.cap != seqInitialCap || grow.Cap() != n || grow.dev == 0 {
		t.Fatalf("new GPU sequence: %d positions allocated (dev %v), Cap %d; want %d, %d", grow.cap, grow.dev, grow.Cap(), seqInitialCap, n)
	}
	whole := &Seq{limit: n, cap: n}
	m.gpu.newCache(whole, m.Layers, m.KVDim())
	if whole.gpuErr != nil {
		t.Fatal(whole.gpuErr)
	}
	growAlongside(t, m, grow, whole)
	if grow.cap != n {
		t.Fatalf("full: %d allocated, want %d", grow.cap, n)
	}
	// A sequence without its GPU cache is refused before any pass, so a
	// scheduler fails that request alone.
	cause := errors.New("out of memory")
	if err := m.Reserve(&Seq{limit: 8, gpuErr: cause}, 1); !errors.Is(err, cause) {
		t.Fatalf("Reserve of a sequence without a GPU cache: %v", err)
	}
}
