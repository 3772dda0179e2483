package inference

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestReadSSEBoundsEvents: an event made of endless data lines is refused,
// not buffered.
func TestReadSSEBoundsEvents(t *testing.T) {
	huge := strings.Repeat("data: "+strings.Repeat("x", 1000)+"\n", maxSSELine/1000+2)
	if err := readSSE(strings.NewReader(huge), func([]byte) error { return nil }); !errors.Is(err, ErrUpstream) {
		t.Fatalf("oversized event: got %v, want ErrUpstream", err)
	}
}

func FuzzReadSSE(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data:x\ndata:y\n\n\n"))
	f.Add([]byte("data: [DONE]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		_ = readSSE(bytes.NewReader(b), func(d []byte) error {
			if len(d) > maxSSELine {
				t.Fatalf("event of %d bytes", len(d))
			}
			total += len(d)
			return nil
		})
		if total > len(b) {
			t.Fatalf("events hold %d bytes of a %d-byte stream", total, len(b))
		}
	})
}
