package protocols

import (
	"bytes"
	"testing"
)

func FuzzDecodeConsensusMessage(f *testing.F) {
	st, _ := EncodeConsensusMessage(&ConsensusMessage{Status: &CatchupRequest{Version: 1, ChainID: "dev", Height: 3}})
	f.Add(st)
	numbered, _ := EncodeConsensusMessage(&ConsensusMessage{Status: &CatchupRequest{Version: 1, ChainID: "dev", Height: 3, Nonce: 1 << 40}})
	f.Add(numbered)
	f.Add([]byte{1})
	f.Add([]byte{9, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeConsensusMessage(b)
		if err != nil {
			return
		}
		again, err := EncodeConsensusMessage(m)
		if err != nil {
			t.Fatalf("accepted message does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("Encode(Decode(b)) != b")
		}
	})
}

func TestConsensusMessageRoundTrip(t *testing.T) {
	in := &ConsensusMessage{Status: &CatchupRequest{Version: 1, ChainID: "dev", Height: 3, Round: 1}}
	b, err := EncodeConsensusMessage(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeConsensusMessage(b)
	if err != nil || out.Status == nil || out.Status.Height != 3 {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if _, err := DecodeConsensusMessage(append([]byte{42}, b[1:]...)); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if _, err := EncodeConsensusMessage(&ConsensusMessage{}); err == nil {
		t.Fatal("empty message encoded")
	}
}
