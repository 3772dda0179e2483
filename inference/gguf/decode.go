package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// MaxStringLen bounds a single metadata string or tensor name (chat
// templates are the longest legitimate strings, a few KiB).
const MaxStringLen = 1 << 24

// MaxArrayDepth bounds nesting of metadata arrays.
const MaxArrayDepth = 4

// Decode parses the header of the GGUF file b (the whole file) and checks
// that every tensor lies inside it. Nothing is allocated that the bytes of
// b do not pay for.
func Decode(b []byte) (*File, error) {
	d := &decoder{b: b}
	f, err := d.file()
	if err != nil {
		return nil, err
	}
	return f, nil
}

type decoder struct {
	b   []byte
	off uint64
}

func (d *decoder) errf(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrFormat, d.off, fmt.Sprintf(format, args...))
}

func (d *decoder) remaining() uint64 { return uint64(len(d.b)) - d.off }

func (d *decoder) take(n uint64, what string) ([]byte, error) {
	if n > d.remaining() {
		return nil, d.errf("truncated reading %s (need %d bytes, %d left)", what, n, d.remaining())
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s, nil
}

func (d *decoder) u32(what string) (uint32, error) {
	s, err := d.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(s), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	s, err := d.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(s), nil
}

func (d *decoder) str(what string) (string, error) {
	n, err := d.u64(what + " length")
	if err != nil {
		return "", err
	}
	if n > MaxStringLen {
		return "", d.errf("%s length %d exceeds %d", what, n, MaxStringLen)
	}
	s, err := d.take(n, what)
	return string(s), err
}

func (d *decoder) file() (*File, error) {
	m, err := d.take(4, "magic")
	if err != nil {
		return nil, err
	}
	if string(m) != Magic {
		return nil, fmt.Errorf("%w: bad magic %q (not a GGUF file)", ErrFormat, m)
	}
	f := &File{raw: d.b}
	if f.Version, err = d.u32("version"); err != nil {
		return nil, err
	}
	// A big-endian file (llama.cpp's converter with --bigendian, for
	// s390x) reads here as a version whose low 16 bits are zero;
	// gguf_init_from_reader rejects it by the same test as a host/model
	// endianness mismatch.
	if f.Version != 0 && f.Version&0xffff == 0 {
		return nil, fmt.Errorf("%w: version %d (%d byte-swapped): the file is big-endian GGUF, and this engine reads little-endian GGUF, as llama.cpp does on x86 and ARM; byte-swap a copy with llama.cpp's gguf-py script (gguf_convert_endian.py FILE little, which rewrites FILE in place), convert the model again with convert_hf_to_gguf.py without --bigendian, or download its little-endian GGUF", ErrFormat, f.Version, bits.ReverseBytes32(f.Version))
	}
	if f.Version != 2 && f.Version != 3 {
		return nil, fmt.Errorf("%w: unsupported version %d (want 2 or 3)", ErrFormat, f.Version)
	}
	nt, err := d.u64("tensor count")
	if err != nil {
		return nil, err
	}
	nkv, err := d.u64("metadata count")
	if err != nil {
		return nil, err
	}
	// A KV needs at least 8 (key length) + 4 (type) + 1 bytes; a tensor
	// info at least 8 + 4 + 4 + 8.
	if nkv > d.remaining()/13 {
		return nil, d.errf("metadata count %d exceeds file size", nkv)
	}
	if nt > d.remaining()/24 {
		return nil, d.errf("tensor count %d exceeds file size", nt)
	}
	f.KV = make([]KV, 0, nkv)
	for range nkv {
		key, err := d.str("key")
		if err != nil {
			return nil, err
		}
		t, err := d.u32("value type")
		if err != nil {
			return nil, err
		}
		v, err := d.value(ValueType(t), 0)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	f.Tensors = make([]TensorInfo, 0, nt)
	for range nt {
		t, err := d.tensorInfo()
		if err != nil {
			return nil, err
		}
		f.Tensors = append(f.Tensors, t)
	}
	if err := f.buildIndex(); err != nil {
		return nil, err
	}
	f.Alignment = DefaultAlignment
	if v, ok := f.Get("general.alignment"); ok {
		a, ok := v.(uint32)
		if !ok || a == 0 || a&(a-1) != 0 {
			return nil, fmt.Errorf("%w: general.alignment %v is not a power of two uint32", ErrFormat, v)
		}
		f.Alignment = uint64(a)
	}
	f.DataOffset = alignUp(d.off, f.Alignment)
	if len(f.Tensors) > 0 && f.DataOffset > uint64(len(d.b)) {
		return nil, fmt.Errorf("%w: truncated before tensor data", ErrFormat)
	}
	size := uint64(len(d.b)) - min(f.DataOffset, uint64(len(d.b)))
	for _, t := range f.Tensors {
		n, err := t.Bytes()
		if err != nil {
			return nil, err
		}
		if t.Offset%f.Alignment != 0 {
			return nil, fmt.Errorf("%w: tensor %q offset %d not aligned to %d", ErrFormat, t.Name, t.Offset, f.Alignment)
		}
		if t.Offset > size || n > size-t.Offset {
			return nil, fmt.Errorf("%w: tensor %q (%d bytes at %d) extends past end of file (truncated?)", ErrFormat, t.Name, n, t.Offset)
		}
	}
	return f, nil
}

func (d *decoder) tensorInfo() (TensorInfo, error) {
	var t TensorInfo
	var err error
	if t.Name, err = d.str("tensor name"); err != nil {
		return t, err
	}
	nd, err := d.u32("tensor dims")
	if err != nil {
		return t, err
	}
	if nd == 0 || nd > MaxDims {
		return t, d.errf("tensor %q has %d dimensions (want 1..%d)", t.Name, nd, MaxDims)
	}
	t.Dims = make([]uint64, nd)
	for i := range t.Dims {
		if t.Dims[i], err = d.u64("tensor dim"); err != nil {
			return t, err
		}
		if t.Dims[i] == 0 || t.Dims[i] > math.MaxInt32*4 {
			return t, d.errf("tensor %q has absurd dimension %d", t.Name, t.Dims[i])
		}
	}
	ty, err := d.u32("tensor type")
	if err != nil {
		return t, err
	}
	t.Type = TensorType(ty)
	if !t.Type.Known() {
		return t, d.errf("tensor %q has unknown type %d", t.Name, ty)
	}
	if _, err := t.Elements(); err != nil {
		return t, err
	}
	t.Offset, err = d.u64("tensor offset")
	return t, err
}

func (d *decoder) value(t ValueType, depth int) (any, error) {
	switch t {
	case TypeString:
		return d.str("string value")
	case TypeArray:
		return d.array(depth)
	}
	n := t.size()
	if n == 0 {
		return nil, d.errf("unknown value type %d", uint32(t))
	}
	s, err := d.take(uint64(n), t.String()+" value")
	if err != nil {
		return nil, err
	}
	return scalar(t, s)
}

func scalar(t ValueType, s []byte) (any, error) {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return s[0], nil
	case TypeInt8:
		return int8(s[0]), nil
	case TypeUint16:
		return le.Uint16(s), nil
	case TypeInt16:
		return int16(le.Uint16(s)), nil
	case TypeUint32:
		return le.Uint32(s), nil
	case TypeInt32:
		return int32(le.Uint32(s)), nil
	case TypeFloat32:
		return math.Float32frombits(le.Uint32(s)), nil
	case TypeBool:
		if s[0] > 1 {
			return nil, fmt.Errorf("%w: bool value %d", ErrFormat, s[0])
		}
		return s[0] == 1, nil
	case TypeUint64:
		return le.Uint64(s), nil
	case TypeInt64:
		return int64(le.Uint64(s)), nil
	case TypeFloat64:
		return math.Float64frombits(le.Uint64(s)), nil
	}
	return nil, fmt.Errorf("%w: unknown value type %d", ErrFormat, uint32(t))
}
