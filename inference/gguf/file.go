package gguf

import (
	"errors"
	"fmt"
)

// ErrFormat marks a file that is not a well-formed GGUF file. Every decoding
// error wraps it.
var ErrFormat = errors.New("gguf: malformed file")

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// DefaultAlignment is the tensor data alignment when general.alignment is
// absent.
const DefaultAlignment = 32

// File is a decoded GGUF file. Its slices are owned by the File; tensor data
// returned by Data aliases the bytes given to Decode.
type File struct {
	Version   uint32
	KV        []KV
	Tensors   []TensorInfo
	Alignment uint64
	// DataOffset is where the tensor data section starts in the file.
	DataOffset uint64

	raw   []byte
	index map[string]int // key -> index in KV
	tidx  map[string]int // tensor name -> index in Tensors
}

// Get returns the value of a metadata key.
func (f *File) Get(key string) (any, bool) {
	i, ok := f.index[key]
	if !ok {
		return nil, false
	}
	return f.KV[i].Value, true
}

// String returns a string metadata value.
func (f *File) String(key string) (string, bool) {
	v, _ := f.Get(key)
	s, ok := v.(string)
	return s, ok
}

// Int returns an integer metadata value of any integer type.
func (f *File) Int(key string) (int64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return asInt(v)
}

// Float returns a numeric metadata value as float64.
func (f *File) Float(key string) (float64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return asFloat(v)
}

// Bool returns a boolean metadata value.
func (f *File) Bool(key string) (bool, bool) {
	v, _ := f.Get(key)
	b, ok := v.(bool)
	return b, ok
}

// Array returns an array metadata value.
func (f *File) Array(key string) (Array, bool) {
	v, _ := f.Get(key)
	a, ok := v.(Array)
	return a, ok
}

// Tensor returns the descriptor of the named tensor.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.tidx[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Tensors[i], true
}

// Data returns the bytes of tensor t, a view into the decoded buffer. Decode
// has checked that every tensor lies inside the file.
func (f *File) Data(t TensorInfo) []byte {
	n, _ := t.Bytes()
	start := f.DataOffset + t.Offset
	return f.raw[start : start+n : start+n]
}

func (f *File) buildIndex() error {
	f.index = make(map[string]int, len(f.KV))
	for i, kv := range f.KV {
		if _, dup := f.index[kv.Key]; dup {
			return fmt.Errorf("%w: duplicate key %q", ErrFormat, kv.Key)
		}
		f.index[kv.Key] = i
	}
	f.tidx = make(map[string]int, len(f.Tensors))
	for i, t := range f.Tensors {
		if _, dup := f.tidx[t.Name]; dup {
			return fmt.Errorf("%w: duplicate tensor %q", ErrFormat, t.Name)
		}
		f.tidx[t.Name] = i
	}
	return nil
}
