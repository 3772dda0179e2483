package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func signedStatus(t testing.TB) []byte {
	s := &NodeStatus{ChainID: "dev", Seq: 7, Height: 42, Roles: []string{"peer", "miner"}, Agent: "tao/dev"}
	if err := s.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	b, err := EncodeNodeStatus(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNodeStatusRoundTrip(t *testing.T) {
	b := signedStatus(t)
	s, err := DecodeNodeStatus(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify("dev"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := s.Verify("main"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("Verify on other chain: got %v, want ErrWrongChain", err)
	}
	again, err := EncodeNodeStatus(s)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encode differs: %v", err)
	}
	if _, err := s.PeerID(); err != nil {
		t.Fatal(err)
	}
}

func TestNodeStatusTampered(t *testing.T) {
	s, err := DecodeNodeStatus(signedStatus(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Height++
	if err := s.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered status: got %v, want ErrBadSignature", err)
	}
	// A signature for another kind of message does not verify as a status.
	s.Height--
	b, _ := s.unsignedBytes()
	s.Sig = Sign(testKey(1), "dev", KindVote, b)
	if err := s.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("cross-kind signature: got %v, want ErrBadSignature", err)
	}
}

func TestDecodeNodeStatusRejects(t *testing.T) {
	good := signedStatus(t)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"too-large", make([]byte, MaxNodeStatusSize+1)},
		{"not-array", []byte{0xa0}},
		{"non-minimal-int", []byte{0x88, 0x18, 0x01}}, // version 1 encoded in two bytes
		{"indefinite", []byte{0x9f, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeNodeStatus(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
	s, _ := DecodeNodeStatus(good)
	s.Version = 2
	b, _ := Marshal(s)
	if _, err := DecodeNodeStatus(b); err == nil {
		t.Fatal("decoded unknown version")
	}
}

func FuzzDecodeNodeStatus(f *testing.F) {
	f.Add(signedStatus(f))
	f.Add([]byte{0x88})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeNodeStatus(b)
		if err != nil {
			return
		}
		again, err := EncodeNodeStatus(s)
		if err != nil {
			t.Fatalf("accepted status does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b")
		}
		_ = s.Verify(s.ChainID)
	})
}
