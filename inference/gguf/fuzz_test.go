package gguf

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode checks that no input panics or allocates without bound, and
// that an accepted file re-encodes to a file that decodes to the same
// header.
func FuzzDecode(f *testing.F) {
	good := sample(f)
	f.Add(good)
	f.Add(good[:64])
	f.Add([]byte("GGUF"))
	f.Add([]byte("GGUF\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if err != nil {
			return
		}
		b2 := reencode(t, g)
		g2, err := Decode(b2)
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if !reflect.DeepEqual(g.KV, g2.KV) && !hasNaN(g.KV) {
			t.Fatalf("metadata differs after re-encoding")
		}
		if len(g.Tensors) != len(g2.Tensors) {
			t.Fatalf("tensor count differs")
		}
		for _, ti := range g.Tensors {
			t2, _ := g2.Tensor(ti.Name)
			if !bytes.Equal(g.Data(ti), g2.Data(t2)) {
				t.Fatalf("tensor %q data differs", ti.Name)
			}
		}
	})
}

func hasNaN(kv []KV) bool {
	for _, e := range kv {
		switch v := e.Value.(type) {
		case float32:
			if v != v {
				return true
			}
		case float64:
			if v != v {
				return true
			}
		case Array:
			return true // may hold NaNs; DeepEqual treats NaN != NaN
		}
	}
	return false
}
