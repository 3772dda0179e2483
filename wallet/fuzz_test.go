package wallet

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecodeKeyfile checks that no input panics or allocates beyond the
// bounds, and that an accepted file re-encodes to one that decodes to the
// same value and is a fixed point of Encode∘Decode. It never derives a key:
// KDF cost is bounded by validate, which the reject table covers.
func FuzzDecodeKeyfile(f *testing.F) {
	enc, _ := validKeyfile(f)
	f.Add(enc)
	for _, k := range []*Key{mustKey(f, Hotkey), mustKey(f, Coldkey)} {
		for _, kdf := range []KDFParams{testScrypt, testArgon, DefaultKDF(), ScryptKDF()} {
			// Sealing with production parameters would be slow; seal
			// cheaply and relabel, since decoding never derives.
			s, err := Seal(k, []byte("pw"), testScrypt, nil)
			if err != nil {
				f.Fatal(err)
			}
			s.KDF = kdf
			b, err := s.Encode()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	plain, err := SealPlain(mustKey(f, Hotkey))
	if err != nil {
		f.Fatal(err)
	}
	b, _ := plain.Encode()
	f.Add(b)
	for _, s := range []string{"", "{}", `{"version":1}`, `{"version":2}`, `{"version":1,"kind":"hotkey"}`, "null", `{"version":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := DecodeKeyfile(b)
		if err != nil {
			return
		}
		enc, err := kf.Encode()
		if err != nil {
			t.Fatalf("Encode of an accepted file: %v", err)
		}
		again, err := DecodeKeyfile(enc)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(kf, again) {
			t.Fatalf("re-decoded %+v, want %+v", again, kf)
		}
		enc2, _ := again.Encode()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("Encode is not a fixed point:\n%s\n%s", enc, enc2)
		}
	})
}
