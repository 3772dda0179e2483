package llama

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/tao/gpu/gputest"
)

// TestToDeviceRefusesCPUOnlyFeatures runs on a CUDA machine: a model
// using what the CUDA backend lacks is refused with the fix named, and a
// plain llama model still moves.
func TestToDeviceRefusesCPUOnlyFeatures(t *testing.T) {
	d := gputest.RequireCUDA(t)
	for _, o := range []tiny{tinyQwen2(), tinyQwen3(), func() tiny { o := tinyLlama(); o.ropeFreqs = true; return o }()} {
		m, err := Load(o.bytes(t))
		if err != nil {
			t.Fatal(err)
		}
		err = m.ToDevice(d)
		if !errors.Is(err, ErrCPUOnly) || !strings.Contains(err.Error(), "--device cpu") {
			t.Errorf("%s: ToDevice = %v, want a refusal naming --device cpu", o.arch, err)
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
	m, err := Load(tinyLlama().bytes(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.ToDevice(d); err != nil {
		t.Fatalf("plain llama: %v", err)
	}
	if _, err := m.Forward([]Row{{Seq: m.NewSeq(4), Token: 1, Logits: true}}, 0); err != nil {
		t.Fatal(err)
	}
}
