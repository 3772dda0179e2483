package inference

import (
	"context"
	"errors"
	"testing"

	"github.com/taonet/tao/gpu/cuda"
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
