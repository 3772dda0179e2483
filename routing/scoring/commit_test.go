package scoring

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"maps"
	"slices"
	"testing"
)

func sampleReveal() Reveal {
	return Reveal{NetUID: 7, Hotkey: []byte{0xAA, 0xBB}, UIDs: []uint16{1, 300}, Values: []uint16{65535, 2},
		Salt: []byte{9, 8, 7}, VersionKey: 0x0102030405060708}
}

// TestCommitEncoding pins the documented byte layout.
func TestCommitEncoding(t *testing.T) {
	want := []byte("tao/v1/weights-commit")
	want = append(want,
		0x00, 0x07, // netuid
		0x02, 0xAA, 0xBB, // hotkey
		0x00, 0x02, // count
		0x00, 0x01, 0x01, 0x2C, // uids 1, 300
		0xFF, 0xFF, 0x00, 0x02, // values
		0x03, 9, 8, 7, // salt
		1, 2, 3, 4, 5, 6, 7, 8) // version key
	got, err := sampleReveal().encode()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("encode = %x, %v; want %x", got, err, want)
	}
	h, _ := sampleReveal().Hash()
	if h != sha256.Sum256(want) {
		t.Fatalf("Hash = %s, want sha256 of the encoding", h)
	}
}

func TestCommitReveal(t *testing.T) {
	r := sampleReveal()
	c, err := r.Hash()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(c); err != nil {
		t.Fatalf("own reveal: %v", err)
	}
	// Any changed field must change the hash.
	changes := map[string]func(*Reveal){
		"netuid":  func(r *Reveal) { r.NetUID++ },
		"hotkey":  func(r *Reveal) { r.Hotkey = []byte{0xAA, 0xBC} },
		"uids":    func(r *Reveal) { r.UIDs = []uint16{1, 301} },
		"values":  func(r *Reveal) { r.Values = []uint16{65535, 3} },
		"order":   func(r *Reveal) { r.UIDs, r.Values = []uint16{300, 1}, []uint16{2, 65535} },
		"salt":    func(r *Reveal) { r.Salt = []byte{9, 8} },
		"version": func(r *Reveal) { r.VersionKey++ },
		// Moving a byte between length-prefixed fields must not collide.
		"shift": func(r *Reveal) { r.Hotkey = []byte{0xAA}; r.Salt = []byte{0xBB, 9, 8, 7} },
	}
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		t.Run(name, func(t *testing.T) {
			r2 := sampleReveal()
			changes[name](&r2)
			if err := r2.Verify(c); !errors.Is(err, ErrRevealMismatch) {
				t.Fatalf("changed %s: Verify = %v, want ErrRevealMismatch", name, err)
			}
		})
	}
}

func TestRevealMalformed(t *testing.T) {
	bad := []Reveal{
		{UIDs: []uint16{1}, Values: nil},
		{UIDs: make([]uint16, MaxUIDs+1), Values: make([]uint16, MaxUIDs+1)},
		{Hotkey: make([]byte, MaxHotkeyLen+1)},
		{Salt: make([]byte, MaxSaltLen+1)},
	}
	for i, r := range bad {
		if _, err := r.Hash(); !errors.Is(err, ErrBadReveal) {
			t.Errorf("case %d: Hash err = %v, want ErrBadReveal", i, err)
		}
	}
	dup := Reveal{UIDs: []uint16{4, 4}, Values: []uint16{1, 2}}
	c, _ := dup.Hash()
	if err := dup.Verify(c); !errors.Is(err, ErrBadReveal) {
		t.Errorf("duplicate uids: Verify = %v, want ErrBadReveal", err)
	}
}

func TestNewSalt(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte{1}, SaltSize+3))
	s, err := NewSalt(src)
	if err != nil || len(s) != SaltSize {
		t.Fatalf("NewSalt = %x, %v", s, err)
	}
	if _, err := NewSalt(src); err == nil {
		t.Fatal("short reader: want an error")
	}
}
