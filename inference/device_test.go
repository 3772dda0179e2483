package inference

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/inference/llama"
	"github.com/taonet/tao/inference/synth"
)

func TestParseDevice(t *testing.T) {
	for in, want := range map[string]string{"": "cpu", "cpu": "cpu", "cuda": "cuda", "auto": "auto"} {
		if got, err := ParseDevice(in); err != nil || got != want {
			t.Errorf("ParseDevice(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDevice("gpu"); err == nil {
		t.Error("ParseDevice(gpu) accepted")
	}
}

// TestDeviceAutoAndCUDA runs everywhere: auto must always give a working
// engine (on the CPU without a GPU), and cuda must fail with
// cuda.ErrUnavailable where there is no GPU.
func TestDeviceAutoAndCUDA(t *testing.T) {
	b, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	d, gpuErr := cuda.Open(0)
	if gpuErr == nil {
		d.Close()
	}
	eng, err := LoadBuiltin(b, BuiltinOptions{Device: DeviceAuto})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if gpuErr != nil && eng.Device() != DeviceCPU {
		t.Errorf("auto without a GPU runs on %q", eng.Device())
	}
	res, err := eng.Generate(context.Background(), Request{PromptTokens: []int32{1, 450}, MaxTokens: 4}, func(Token) error { return nil })
	if err != nil || len(res.Tokens) == 0 {
		t.Fatalf("generate on %s: %v, %d tokens", eng.Device(), err, len(res.Tokens))
	}
	c, err := LoadBuiltin(b, BuiltinOptions{Device: DeviceCUDA})
	switch {
	case gpuErr != nil && !errors.Is(err, cuda.ErrUnavailable):
		t.Errorf("cuda without a GPU: %v, want an error wrapping cuda.ErrUnavailable", err)
	case gpuErr == nil && err != nil:
		t.Errorf("cuda with a GPU: %v", err)
	case err == nil:
		c.Close()
	}
}

// TestDeviceAutoCPUOnlyModel: with a GPU, auto runs a model whose
// features the CUDA backend lacks (Qwen2's biases and NEOX rope) on the
// CPU instead of failing; cuda refuses it naming --device cpu.
func TestDeviceAutoCPUOnlyModel(t *testing.T) {
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("needs an NVIDIA GPU: %v", err)
	}
	d.Close()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Preset: "qwen2-tiny", Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng, err := LoadBuiltin(buf.Bytes(), BuiltinOptions{Device: DeviceAuto})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Device() != DeviceCPU {
		t.Errorf("auto put a CPU-only model on %q", eng.Device())
	}
	if _, err := LoadBuiltin(buf.Bytes(), BuiltinOptions{Device: DeviceCUDA}); !errors.Is(err, llama.ErrCPUOnly) {
		t.Errorf("cuda: %v, want llama.ErrCPUOnly", err)
	}
}
