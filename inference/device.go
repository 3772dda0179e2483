package inference

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/llama"
)

// Device names where the builtin engine runs a model.
const (
	DeviceCPU  = "cpu"  // pure-Go kernels
	DeviceCUDA = "cuda" // NVIDIA GPU through gpu/cuda; fails without one
	DeviceAuto = "auto" // CUDA where a GPU is usable and runs the model, else the CPU
)

// ParseDevice checks a --device value; "" means cpu.
func ParseDevice(s string) (string, error) {
	switch s {
	case "", DeviceCPU:
		return DeviceCPU, nil
	case DeviceCUDA, DeviceAuto:
		return s, nil
	}
	return "", fmt.Errorf("device %q: want cpu, cuda or auto", s)
}

// ParseKVCache maps a KV cache type name ("" or "f16": llama.cpp's
// default, and the engine's; "f32") to its tensor type
// (BuiltinOptions.KVCache).
func ParseKVCache(s string) (gguf.TensorType, error) {
	switch strings.ToLower(s) {
	case "", "f16":
		return gguf.F16, nil
	case "f32":
		return gguf.F32, nil
	}
	return 0, fmt.Errorf("KV cache type %q: want f16 (llama.cpp's default: half the memory) or f32 (llama.cpp's --cache-type-k/v f32)", s)
}

// ParseFlashAttn maps "on" (also "" and "auto": llama.cpp's default, which
// is on for the CPU) or "off" to whether the builtin engine computes
// attention as llama.cpp's flash attention does (BuiltinOptions.FlashAttn).
func ParseFlashAttn(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "on", "auto":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("flash attention %q: want on (llama.cpp's default) or off (llama.cpp's -fa off)", s)
}

// placeModel moves m to the device the options ask for and returns the
// opened GPU (nil on the CPU), which the engine closes after the model.
func placeModel(m *llama.Model, device string, log *slog.Logger) (*cuda.Device, error) {
	device, err := ParseDevice(device)
	if err != nil || device == DeviceCPU {
		return nil, err
	}
	d, err := cuda.Open(0)
	if err == nil {
		if err = m.ToDevice(d); err != nil {
			d.Close()
		}
	}
	if err != nil {
		switch {
		case device != DeviceAuto:
		case errors.Is(err, cuda.ErrUnavailable):
			log.Info("no usable GPU; the builtin engine runs on the CPU", "err", err)
			return nil, nil
		case errors.Is(err, llama.ErrCPUOnly):
			log.Info("the model needs the CPU engine; running it there", "err", err)
			return nil, nil
		default:
			// A GPU that cannot hold the model (memory) or fails to load
			// it: auto serves from the CPU, loudly.
			log.Warn("the GPU could not take the model; the builtin engine runs on the CPU (--device cuda to make this an error)", "err", err)
			return nil, nil
		}
		return nil, err
	}
	log.Info("model on the GPU", "gpu", d.Name(), "weights_mib", m.GPUWeightBytes()>>20)
	return d, nil
}
