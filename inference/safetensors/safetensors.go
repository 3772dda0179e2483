// Package safetensors reads and writes the safetensors format of Hugging
// Face (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length, a JSON header naming each tensor's dtype, shape and byte
// range, then the tensors' bytes, row-major and contiguous.
//
// tao writes it to hand a GGUF model's weights to other runtimes
// (transformers, vLLM); the decoder checks a file before anything of it is
// used, so a truncated or hostile file gives an error, never a panic or a
// huge allocation.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
)

// MaxHeader bounds the JSON header (the reference implementation's limit).
const MaxHeader = 100 << 20

// DTypes are the element types and their sizes in bytes.
var DTypes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// Tensor describes one tensor of a file.
type Tensor struct {
	Name  string
	DType string
	Shape []int64
	// Begin and End are the tensor's byte range in the data section (after
	// the header); set by Decode and by Write's layout.
	Begin, End int64
}

// Bytes is the size of the tensor's data.
func (t Tensor) Bytes() (int64, error) {
	size, ok := DTypes[t.DType]
	if !ok {
		return 0, fmt.Errorf("safetensors: tensor %q has unknown dtype %q", t.Name, t.DType)
	}
	n := int64(size)
	for _, d := range t.Shape {
		if d < 0 {
			return 0, fmt.Errorf("safetensors: tensor %q has a negative dimension %d", t.Name, d)
		}
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > math.MaxInt64/2 {
			return 0, fmt.Errorf("safetensors: tensor %q: shape %v overflows", t.Name, t.Shape)
		}
		n = int64(lo)
	}
	return n, nil
}

type entry struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Header encodes the header for tensors laid out in order, setting their
// Begin and End, with metadata under "__metadata__" (may be nil). The
// result includes the 8-byte length prefix and is padded with spaces to a
// multiple of 8 bytes, so the data that follows is aligned.
func Header(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	hdr := make(map[string]any, len(tensors)+1)
	if len(metadata) > 0 {
		hdr["__metadata__"] = metadata
	}
	var off int64
	for i := range tensors {
		t := &tensors[i]
		if t.Name == "" || t.Name == "__metadata__" {
			return nil, fmt.Errorf("safetensors: bad tensor name %q", t.Name)
		}
		if _, dup := hdr[t.Name]; dup {
			return nil, fmt.Errorf("safetensors: tensor %q twice", t.Name)
		}
		n, err := t.Bytes()
		if err != nil {
			return nil, err
		}
		t.Begin, t.End = off, off+n
		off += n
		shape := t.Shape
		if shape == nil {
			shape = []int64{}
		}
		hdr[t.Name] = entry{DType: t.DType, Shape: shape, Offsets: [2]int64{t.Begin, t.End}}
	}
	js, err := json.Marshal(hdr) // sorted keys: the same tensors give the same bytes
	if err != nil {
		return nil, err
	}
	if pad := (8 - len(js)%8) % 8; pad > 0 {
		js = append(js, bytes.Repeat([]byte(" "), pad)...)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	return append(out, js...), nil
}

// Write writes a file of tensors whose bytes data(i, w) writes, in order;
// it checks that each writes exactly its tensor's size.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string, data func(i int, w io.Writer) error) error {
	hdr, err := Header(tensors, metadata)
	if err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for i, t := range tensors {
		cw := &countWriter{w: w}
		if err := data(i, cw); err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
		if cw.n != t.End-t.Begin {
			return fmt.Errorf("safetensors: tensor %q: wrote %d bytes, want %d", t.Name, cw.n, t.End-t.Begin)
		}
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// File is a decoded file: its tensors sorted by offset, its metadata, and
// the data section.
type File struct {
	Tensors  []Tensor
	Metadata map[string]string
	data     []byte
}

// Data returns the bytes of t, one of f.Tensors.
func (f *File) Data(t Tensor) []byte { return f.data[t.Begin:t.End] }

// Tensor finds a tensor by name.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Decode checks and decodes a whole file held in b (which it aliases):
// the header's size, JSON, dtypes and shapes, and that the tensors' byte
// ranges match their shapes and tile the data section exactly, with no
// gap or overlap, as the format requires.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, errors.New("safetensors: file shorter than its 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeader || n > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header of %d bytes in a file of %d (truncated or not safetensors)", n, len(b))
	}
	raw := b[8 : 8+n]
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("safetensors: header is not a JSON object (not a safetensors file)")
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	f := &File{data: b[8+n:]}
	for name, v := range hdr {
		if name == "__metadata__" {
			if err := json.Unmarshal(v, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		t := Tensor{Name: name, DType: e.DType, Shape: e.Shape, Begin: e.Offsets[0], End: e.Offsets[1]}
		size, err := t.Bytes()
		if err != nil {
			return nil, err
		}
		if t.Begin < 0 || t.End < t.Begin || t.End-t.Begin != size {
			return nil, fmt.Errorf("safetensors: tensor %q: byte range [%d, %d) does not hold %s%v (%d bytes)", name, t.Begin, t.End, t.DType, t.Shape, size)
		}
		f.Tensors = append(f.Tensors, t)
	}
	sort.Slice(f.Tensors, func(i, j int) bool {
		a, b := f.Tensors[i], f.Tensors[j]
		return a.Begin < b.Begin || a.Begin == b.Begin && a.End < b.End
	})
	var off int64
	for _, t := range f.Tensors {
		if t.Begin != off {
			return nil, fmt.Errorf("safetensors: tensor %q starts at %d, want %d (tensors must tile the data without gaps or overlap)", t.Name, t.Begin, off)
		}
		off = t.End
	}
	if off != int64(len(f.data)) {
		return nil, fmt.Errorf("safetensors: tensors hold %d bytes, the data section has %d (truncated or padded file)", off, len(f.data))
	}
	return f, nil
}
