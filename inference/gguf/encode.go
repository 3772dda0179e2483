package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Writer streams a GGUF v3 file: NewWriter writes the header, then
// WriteTensor is called once per tensor, in the order given, and Close pads
// and flushes. Tensor data never needs to be in memory all at once.
// A Writer is not safe for concurrent use.
type Writer struct {
	w       *bufio.Writer
	tensors []TensorInfo
	next    int
	off     uint64 // bytes written so far
	align   uint64
	err     error
}

// NewWriter writes the header for kv and tensors. Tensor offsets are
// assigned here (the Offset fields given are ignored); general.alignment in
// kv, if present, sets the alignment.
func NewWriter(w io.Writer, kv []KV, tensors []TensorInfo) (*Writer, error) {
	gw := &Writer{w: bufio.NewWriterSize(w, 1<<20), align: DefaultAlignment}
	for _, e := range kv {
		if e.Key == "general.alignment" {
			a, ok := e.Value.(uint32)
			if !ok || a == 0 || a&(a-1) != 0 {
				return nil, errors.New("gguf: general.alignment must be a power of two uint32")
			}
			gw.align = uint64(a)
		}
	}
	gw.tensors = make([]TensorInfo, len(tensors))
	var off uint64
	for i, t := range tensors {
		n, err := t.Bytes()
		if err != nil {
			return nil, err
		}
		t.Dims = append([]uint64(nil), t.Dims...)
		t.Offset = off
		gw.tensors[i] = t
		off = alignUp(off+n, gw.align)
	}
	gw.raw([]byte(Magic))
	gw.u32(3)
	gw.u64(uint64(len(tensors)))
	gw.u64(uint64(len(kv)))
	for _, e := range kv {
		t, err := valueType(e.Value)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", e.Key, err)
		}
		gw.str(e.Key)
		gw.u32(uint32(t))
		if err := gw.value(e.Value); err != nil {
			return nil, fmt.Errorf("key %q: %w", e.Key, err)
		}
	}
	for _, t := range gw.tensors {
		gw.str(t.Name)
		gw.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			gw.u64(d)
		}
		gw.u32(uint32(t.Type))
		gw.u64(t.Offset)
	}
	gw.pad()
	gw.off = 0 // data offsets count from here
	return gw, gw.err
}

// WriteTensor writes the data of the next tensor; len(data) must match its
// type and dimensions.
func (w *Writer) WriteTensor(data []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.next >= len(w.tensors) {
		return errors.New("gguf: more tensors written than declared")
	}
	t := w.tensors[w.next]
	n, _ := t.Bytes()
	if uint64(len(data)) != n {
		return fmt.Errorf("gguf: tensor %q: got %d bytes, want %d", t.Name, len(data), n)
	}
	w.raw(data)
	w.pad()
	w.next++
	return w.err
}

// Close flushes the file. It fails if tensors are missing.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.next != len(w.tensors) {
		return fmt.Errorf("gguf: %d of %d tensors written", w.next, len(w.tensors))
	}
	return w.w.Flush()
}

func (w *Writer) raw(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.w.Write(b)
	w.off += uint64(len(b))
}

func (w *Writer) pad() {
	var zero [64]byte
	for n := alignUp(w.off, w.align) - w.off; n > 0; {
		k := min(n, 64)
		w.raw(zero[:k])
		n -= k
	}
}

func (w *Writer) u32(v uint32) { w.raw(binary.LittleEndian.AppendUint32(nil, v)) }
func (w *Writer) u64(v uint64) { w.raw(binary.LittleEndian.AppendUint64(nil, v)) }
func (w *Writer) str(s string) { w.u64(uint64(len(s))); w.raw([]byte(s)) }

func (w *Writer) value(v any) error {
	switch x := v.(type) {
	case uint8:
		w.raw([]byte{x})
	case int8:
		w.raw([]byte{byte(x)})
	case uint16:
		w.raw(binary.LittleEndian.AppendUint16(nil, x))
	case int16:
		w.raw(binary.LittleEndian.AppendUint16(nil, uint16(x)))
	case uint32:
		w.u32(x)
	case int32:
		w.u32(uint32(x))
	case float32:
		w.u32(math.Float32bits(x))
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		w.raw([]byte{b})
	case string:
		w.str(x)
	case uint64:
		w.u64(x)
	case int64:
		w.u64(uint64(x))
	case float64:
		w.u64(math.Float64bits(x))
	case Array:
		return w.array(x)
	default:
		return fmt.Errorf("gguf: unsupported metadata value %T", v)
	}
	return nil
}

func (w *Writer) array(a Array) error {
	w.u32(uint32(a.Elem))
	w.u64(uint64(a.Len()))
	switch v := a.Values.(type) {
	case []string:
		for _, s := range v {
			w.str(s)
		}
	case []Array:
		for _, x := range v {
			if err := w.array(x); err != nil {
				return err
			}
		}
	default:
		if a.Elem == TypeString || a.Elem == TypeArray {
			return fmt.Errorf("gguf: array of %s holds %T", a.Elem, a.Values)
		}
		return forEachScalar(a, w.value)
	}
	return nil
}

// forEachScalar calls fn with each element of a scalar array, checking the
// slice type matches Elem.
func forEachScalar(a Array, fn func(any) error) error {
	var n int
	get := func(i int) any { return nil }
	switch v := a.Values.(type) {
	case []uint8:
		n, get = len(v), func(i int) any { return v[i] }
	case []int8:
		n, get = len(v), func(i int) any { return v[i] }
	case []uint16:
		n, get = len(v), func(i int) any { return v[i] }
	case []int16:
		n, get = len(v), func(i int) any { return v[i] }
	case []uint32:
		n, get = len(v), func(i int) any { return v[i] }
	case []int32:
		n, get = len(v), func(i int) any { return v[i] }
	case []float32:
		n, get = len(v), func(i int) any { return v[i] }
	case []bool:
		n, get = len(v), func(i int) any { return v[i] }
	case []uint64:
		n, get = len(v), func(i int) any { return v[i] }
	case []int64:
		n, get = len(v), func(i int) any { return v[i] }
	case []float64:
		n, get = len(v), func(i int) any { return v[i] }
	default:
		return fmt.Errorf("gguf: unsupported array values %T", a.Values)
	}
	if n > 0 {
		if t, _ := valueType(get(0)); t != a.Elem {
			return fmt.Errorf("gguf: array of %s holds %T", a.Elem, a.Values)
		}
	}
	for i := range n {
		if err := fn(get(i)); err != nil {
			return err
		}
	}
	return nil
}
