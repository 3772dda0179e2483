package protocols

import (
	"bytes"
	"errors"
	"testing"
)

func signedHeartbeat(t testing.TB) []byte {
	h := &Heartbeat{
		ChainID: "dev", NetUID: 1, Seq: 3, Time: 1_700_000_000_000, Interval: 2000,
		ModelCID: RawCID([]byte("model")).Bytes(), QueueDepth: 1, FreeSlots: 7,
		GPUMemTotalMiB: 81920, GPUMemFreeMiB: 40000, GPUUtilPct: 55, LatencyP50Ms: 40, TokensPerSec: 300,
	}
	if err := h.Sign(testKey(2)); err != nil {
		t.Fatal(err)
	}
	b, err := EncodeHeartbeat(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHeartbeatRoundTrip(t *testing.T) {
	b := signedHeartbeat(t)
	h, err := DecodeHeartbeat(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Verify("dev"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := h.Verify("main"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("Verify on other chain: got %v, want ErrWrongChain", err)
	}
	if again, err := EncodeHeartbeat(h); err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encode differs: %v", err)
	}
	if c, err := h.Model(); err != nil || !c.Equals(RawCID([]byte("model"))) {
		t.Fatalf("Model() = %v, %v", c, err)
	}
	if _, err := h.PeerID(); err != nil {
		t.Fatal(err)
	}
	h.FreeSlots++
	if err := h.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered heartbeat: got %v, want ErrBadSignature", err)
	}
}

func TestDecodeHeartbeatRejects(t *testing.T) {
	good := signedHeartbeat(t)
	bad := func(edit func(h *Heartbeat)) []byte {
		h, _ := DecodeHeartbeat(good)
		edit(h)
		b, _ := Marshal(h)
		return b
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"too-large", make([]byte, MaxHeartbeatSize+1)},
		{"version", bad(func(h *Heartbeat) { h.Version = 2 })},
		{"interval-zero", bad(func(h *Heartbeat) { h.Interval = 0 })},
		{"interval-huge", bad(func(h *Heartbeat) { h.Interval = 3_600_000 })},
		{"no-model", bad(func(h *Heartbeat) { h.ModelCID = nil })},
		{"garbage-model", bad(func(h *Heartbeat) { h.ModelCID = []byte{1, 2, 3} })},
		{"model-trailing", bad(func(h *Heartbeat) { h.ModelCID = append(h.ModelCID, 0) })},
		{"short-hotkey", bad(func(h *Heartbeat) { h.Hotkey = h.Hotkey[:5] })},
		{"gpu-util", bad(func(h *Heartbeat) { h.GPUUtilPct = 101 })},
		{"gpu-free", bad(func(h *Heartbeat) { h.GPUMemFreeMiB = h.GPUMemTotalMiB + 1 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeHeartbeat(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
}

func TestSubnetKeyDiffers(t *testing.T) {
	if SubnetKey("dev", 1).Equals(SubnetKey("dev", 2)) || SubnetKey("dev", 1).Equals(SubnetKey("main", 1)) {
		t.Fatal("subnet keys collide")
	}
}

func FuzzDecodeHeartbeat(f *testing.F) {
	f.Add(signedHeartbeat(f))
	f.Add([]byte{0x90})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeartbeat(b)
		if err != nil {
			return
		}
		again, err := EncodeHeartbeat(h)
		if err != nil {
			t.Fatalf("accepted heartbeat does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b")
		}
		_ = h.Verify(h.ChainID)
		_, _ = h.PeerID()
	})
}
