package inference

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadSSEBoundsEvents: an event made of endless data lines is refused,
// not buffered.
func TestReadSSEBoundsEvents(t *testing.T) {
	huge := strings.Repeat("data: "+strings.Repeat("x", 1000)+"\n", maxSSELine/1000+2)
	if _, err := readSSE(strings.NewReader(huge), func([]byte) error { return nil }); !errors.Is(err, ErrUpstream) {
		t.Fatalf("oversized event: got %v, want ErrUpstream", err)
	}
}

// TestReadSSEDone: done reports whether the stream said [DONE], with or
// without the blank line after it.
func TestReadSSEDone(t *testing.T) {
	for in, want := range map[string]bool{
		"data: a\n\ndata: [DONE]\n\n": true,
		"data: a\n\ndata: [DONE]":     true,
		"data: a\n\n":                 false,
		"data: a":                     false,
		"":                            false,
	} {
		done, err := readSSE(strings.NewReader(in), func([]byte) error { return nil })
		if err != nil || done != want {
			t.Errorf("%q: done %v, err %v; want done %v", in, done, err, want)
		}
	}
}

// TestReadSSEWrapsReadErrors: a read error keeps its identity (a cancelled
// request's context.Canceled) under ErrUpstream; fn's error is returned as
// it is.
func TestReadSSEWrapsReadErrors(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: a\n\n"), iotest.ErrReader(context.Canceled))
	_, err := readSSE(r, func([]byte) error { return nil })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUpstream) {
		t.Errorf("read error: got %v, want ErrUpstream wrapping context.Canceled", err)
	}
	stop := errors.New("stop")
	if _, err := readSSE(strings.NewReader("data: a\n\n"), func([]byte) error { return stop }); err != stop {
		t.Errorf("fn's error: got %v, want it unwrapped", err)
	}
}

func FuzzReadSSE(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data:x\ndata:y\n\n\n"))
	f.Add([]byte("data: [DONE]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		_, _ = readSSE(bytes.NewReader(b), func(d []byte) error {
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
