package protocols

import (
	"bytes"
	"testing"
)

// FuzzTransferPayload: whatever decodeTransfer accepts, the general
// decoder accepts with the same value (so Body answers as it did before
// the fast path); the canonical encodings of transfers are accepted.
func FuzzTransferPayload(f *testing.F) {
	for _, amount := range []uint64{1, 23, 24, 255, 256, 1 << 16, 1 << 32, 1<<64 - 1} {
		p, err := Marshal(&Transfer{To: bytes.Repeat([]byte{7}, 32), Amount: amount})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p)
	}
	f.Add([]byte{0x82, 0x58, 0x20})
	f.Add(append(append([]byte{0x82, 0x58, 0x20}, make([]byte, 32)...), 0x18, 0x05))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeTransfer(b)
		var slow Transfer
		err := Unmarshal(b, &slow, MaxTxSize)
		if !ok {
			if err == nil && len(slow.To) == 32 {
				t.Fatalf("canonical transfer %x not taken by the fast path", b)
			}
			return
		}
		if err != nil {
			t.Fatalf("fast path accepts %x, general decoder says %v", b, err)
		}
		if !bytes.Equal(fast.To, slow.To) || fast.Amount != slow.Amount {
			t.Fatalf("fast path %+v, general decoder %+v", fast, slow)
		}
	})
}
