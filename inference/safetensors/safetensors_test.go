package safetensors

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
)

func sample(t testing.TB) []byte {
	t.Helper()
	ts := []Tensor{
		{Name: "b", DType: "F32", Shape: []int64{2, 3}},
		{Name: "a", DType: "BF16", Shape: []int64{4}},
		{Name: "s", DType: "I64", Shape: nil},
	}
	var buf bytes.Buffer
	err := Write(&buf, ts, map[string]string{"format": "pt"}, func(i int, w io.Writer) error {
		n := ts[i].End - ts[i].Begin
		_, err := w.Write(bytes.Repeat([]byte{byte('0' + i)}, int(n)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := sample(t)
	if n := binary.LittleEndian.Uint64(b); (8+n)%8 != 0 {
		t.Fatalf("header length %d leaves the data unaligned", n)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" {
		t.Fatalf("metadata %v", f.Metadata)
	}
	want := map[string]struct {
		dtype string
		n     int
		fill  byte
	}{"b": {"F32", 24, '0'}, "a": {"BF16", 8, '1'}, "s": {"I64", 8, '2'}}
	if len(f.Tensors) != len(want) {
		t.Fatalf("%d tensors", len(f.Tensors))
	}
	for name, w := range want {
		tt, ok := f.Tensor(name)
		if !ok || tt.DType != w.dtype {
			t.Fatalf("tensor %s: %+v", name, tt)
		}
		d := f.Data(tt)
		if !bytes.Equal(d, bytes.Repeat([]byte{w.fill}, w.n)) {
			t.Fatalf("tensor %s data %q", name, d)
		}
	}
}

func TestWriteChecksSizes(t *testing.T) {
	ts := []Tensor{{Name: "x", DType: "F16", Shape: []int64{3}}}
	err := Write(io.Discard, ts, nil, func(int, io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "wrote 0 bytes, want 6") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Header([]Tensor{{Name: "x", DType: "F12"}}, nil); err == nil {
		t.Fatal("unknown dtype accepted")
	}
	if _, err := Header([]Tensor{{Name: "x", DType: "F32"}, {Name: "x", DType: "F32"}}, nil); err == nil {
		t.Fatal("duplicate name accepted")
	}
}

func TestDecodeRejects(t *testing.T) {
	good := sample(t)
	hdr := func(js string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
		return append(append(b, js...), make([]byte, data)...)
	}
	cases := map[string][]byte{
		"short":      good[:5],
		"truncated":  good[:len(good)-1],
		"padded":     append(append([]byte{}, good...), 0),
		"huge":       binary.LittleEndian.AppendUint64(nil, 1<<40),
		"not json":   hdr("[1,2]", 0),
		"bad dtype":  hdr(`{"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}`, 1),
		"negative":   hdr(`{"x":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}`, 0),
		"overflow":   hdr(`{"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, 8),
		"size":       hdr(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4),
		"gap":        hdr(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2),
		"overlap":    hdr(`{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3),
		"extra key":  hdr(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"z":1}}`, 1),
		"bad meta":   hdr(`{"__metadata__":{"a":1}}`, 0),
		"empty json": hdr(``, 0),
	}
	for name, b := range cases {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzDecode: any bytes decode to an error or to a file whose tensors lie
// inside the data and re-encode to the same header layout.
func FuzzDecode(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		sf, err := Decode(b)
		if err != nil {
			return
		}
		for _, tt := range sf.Tensors {
			_ = sf.Data(tt) // in range, or it panics
		}
		ts := append([]Tensor(nil), sf.Tensors...)
		if _, err := Header(ts, sf.Metadata); err != nil && !strings.Contains(err.Error(), "bad tensor name") {
			t.Fatalf("decoded file does not re-encode: %v", err)
		}
		for i := range ts {
			if ts[i].Begin != sf.Tensors[i].Begin || ts[i].End != sf.Tensors[i].End {
				t.Fatalf("layout differs for %q", ts[i].Name)
			}
		}
	})
}
