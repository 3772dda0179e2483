package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sample builds a small file using every metadata type and two tensors.
func sample(t testing.TB) []byte {
	t.Helper()
	kv := []KV{
		{"general.architecture", "llama"},
		{"u8", uint8(7)}, {"i8", int8(-7)}, {"u16", uint16(700)}, {"i16", int16(-700)},
		{"u32", uint32(70000)}, {"i32", int32(-70000)}, {"f32", float32(1.5)}, {"b", true},
		{"u64", uint64(1) << 40}, {"i64", int64(-1) << 40}, {"f64", 2.25},
		{"strs", Array{TypeString, []string{"a", "", "ünï"}}},
		{"f32s", Array{TypeFloat32, []float32{1, -2}}},
		{"i32s", Array{TypeInt32, []int32{3, -4}}},
		{"nested", Array{TypeArray, []Array{{TypeUint8, []uint8{1, 2}}, {TypeBool, []bool{true}}}}},
		{"general.alignment", uint32(64)},
	}
	ts := []TensorInfo{
		{Name: "a", Dims: []uint64{32, 2}, Type: Q8_0},
		{Name: "b", Dims: []uint64{3}, Type: F32},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, kv, ts)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 64)
	for i := range x {
		x[i] = float32(i) - 20
	}
	if err := w.WriteTensor(QuantizeQ8_0(nil, x)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTensor(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(1)), math.Float32bits(2)), math.Float32bits(3))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := sample(t)
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("alignment %d, data offset %d", f.Alignment, f.DataOffset)
	}
	if s, _ := f.String("general.architecture"); s != "llama" {
		t.Errorf("architecture = %q", s)
	}
	if v, _ := f.Int("i32"); v != -70000 {
		t.Errorf("i32 = %d", v)
	}
	nested, _ := f.Array("nested")
	want := []Array{{TypeUint8, []uint8{1, 2}}, {TypeBool, []bool{true}}}
	if !reflect.DeepEqual(nested.Values, want) {
		t.Errorf("nested = %#v", nested.Values)
	}
	tb, _ := f.Tensor("b")
	got := make([]float32, 3)
	if err := Dequantize(got, F32, f.Data(tb)); err != nil || got[2] != 3 {
		t.Errorf("tensor b = %v, %v", got, err)
	}
	// Re-encoding the decoded file gives the same bytes.
	if b2 := reencode(t, f); !bytes.Equal(b, b2) {
		t.Errorf("re-encoding differs: %d vs %d bytes", len(b), len(b2))
	}
}

// reencode writes f again from its decoded header and tensor data.
func reencode(t testing.TB, f *File) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f.KV, f.Tensors)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range f.Tensors {
		if err := w.WriteTensor(f.Data(ti)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeErrors(t *testing.T) {
	good := sample(t)
	le := binary.LittleEndian
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"wrong-magic", append([]byte("GGML"), good[4:]...)},
		{"version", func() []byte { b := bytes.Clone(good); le.PutUint32(b[4:], 9); return b }()},
		{"truncated-header", good[:40]},
		{"truncated-data", good[:len(good)-64]},
		{"huge-tensor-count", func() []byte { b := bytes.Clone(good); le.PutUint64(b[8:], 1<<62); return b }()},
		{"huge-kv-count", func() []byte { b := bytes.Clone(good); le.PutUint64(b[16:], 1<<62); return b }()},
		{"huge-string", func() []byte { b := bytes.Clone(good); le.PutUint64(b[24:], 1<<40); return b }()},
		{"absurd-dims", mutateTensor(t, good, func(ti *TensorInfo) { ti.Dims = []uint64{32, 1 << 40, 1 << 30} })},
		{"unknown-type", mutateTensor(t, good, func(ti *TensorInfo) { ti.Type = 77 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.b)
			if err == nil {
				t.Fatalf("Decode succeeded: %d tensors", len(f.Tensors))
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v does not wrap ErrFormat", err)
			}
		})
	}
}

// TestDecodeBigEndian: a big-endian GGUF (llama.cpp's converter with
// --bigendian) is rejected as big-endian, with the fix named, rather than
// as an unknown version; llama.cpp's gguf_init_from_reader detects it the
// same way (a version whose low 16 bits are zero).
func TestDecodeBigEndian(t *testing.T) {
	for _, v := range []uint32{2, 3} {
		be := binary.BigEndian
		b := be.AppendUint32([]byte("GGUF"), v)
		b = be.AppendUint64(b, 2) // tensors
		b = be.AppendUint64(b, 1) // metadata
		b = be.AppendUint64(b, uint64(len("general.architecture")))
		b = append(b, "general.architecture"...)
		_, err := Decode(b)
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("version %d big-endian: err = %v, want ErrFormat", v, err)
		}
		for _, want := range []string{"big-endian", "little-endian", "without --bigendian"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("version %d big-endian: error %q does not say %q", v, err, want)
			}
		}
	}
	// A little-endian file of an unknown version is still just that.
	b := bytes.Clone(sample(t))
	binary.LittleEndian.PutUint32(b[4:], 4)
	if _, err := Decode(b); err == nil || strings.Contains(err.Error(), "big-endian") {
		t.Errorf("version 4: err = %v, want an unsupported version", err)
	}
}

// mutateTensor rewrites the header of b with tensor "a" changed, keeping the
// original data bytes.
func mutateTensor(t *testing.T, b []byte, fn func(*TensorInfo)) []byte {
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	ts := append([]TensorInfo(nil), f.Tensors...)
	fn(&ts[0])
	// Encode the valid header, then patch tensor a's fields by hand (the
	// Writer refuses to write invalid descriptors).
	var hdr bytes.Buffer
	orig := f.Tensors[0]
	gw, err := NewWriter(&hdr, f.KV, f.Tensors)
	if err != nil {
		t.Fatal(err)
	}
	_ = gw.w.Flush()
	h := hdr.Bytes()
	// Locate tensor "a" descriptor: name length, name, n_dims.
	i := bytes.Index(h, append(binary.LittleEndian.AppendUint64(nil, 1), 'a'))
	if i < 0 {
		t.Fatal("tensor a not found")
	}
	var out []byte
	out = append(out, h[:i]...)
	out = binary.LittleEndian.AppendUint64(out, 1)
	out = append(out, 'a')
	out = binary.LittleEndian.AppendUint32(out, uint32(len(ts[0].Dims)))
	for _, d := range ts[0].Dims {
		out = binary.LittleEndian.AppendUint64(out, d)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(ts[0].Type))
	rest := h[i+8+1+4+8*len(orig.Dims)+4:]
	out = append(out, rest...)
	return append(out, b[f.DataOffset:]...)
}

func TestF16(t *testing.T) {
	for h := range 1 << 16 {
		f := F16ToF32(uint16(h))
		if f != f { // NaN
			continue
		}
		if got := F32ToF16(f); got != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#x)=%v) = %#x", h, f, got)
		}
	}
	if got := F16ToF32(F32ToF16(0.1)); math.Abs(float64(got)-0.1) > 1e-4 {
		t.Errorf("0.1 -> %v", got)
	}
}

func TestQuantizeRoundTrip(t *testing.T) {
	x := make([]float32, 256)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.37)) * 0.05
	}
	for _, ty := range []TensorType{F32, F16, Q8_0, Q4_0} {
		b, err := Quantize(nil, ty, x)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != ty.RowBytes(len(x)) {
			t.Fatalf("%s: %d bytes", ty, len(b))
		}
		y := make([]float32, len(x))
		if err := Dequantize(y, ty, b); err != nil {
			t.Fatal(err)
		}
		tol := map[TensorType]float64{F32: 0, F16: 1e-4, Q8_0: 0.05 / 127, Q4_0: 0.05 / 7}[ty]
		for i := range x {
			if d := math.Abs(float64(x[i] - y[i])); d > tol {
				t.Fatalf("%s: x[%d]=%v got %v", ty, i, x[i], y[i])
			}
		}
	}
}
