package protocols

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func testRequest() *InferRequest {
	return &InferRequest{
		ChainID: "dev", NetUID: 1, RequestID: bytes.Repeat([]byte{7}, RequestIDSize), Time: 1_700_000_000_000,
		Messages:  []ChatMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hi ☃"}},
		Sampling:  Sampling{TemperatureMilli: 700, TopK: 40, TopPMilli: 900},
		Seed:      42,
		MaxTokens: 64,
		Stop:      []string{"\n\n"},
	}
}

func signedRequest(t testing.TB, r *InferRequest) []byte {
	if err := r.Sign(testKey(3)); err != nil {
		t.Fatal(err)
	}
	b, err := EncodeInferRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInferRequestRoundTrip(t *testing.T) {
	b := signedRequest(t, testRequest())
	r, err := DecodeInferRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify("dev"); err != nil {
		t.Fatal(err)
	}
	if again, err := EncodeInferRequest(r); err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encode differs: %v", err)
	}
	r.Seed++
	if err := r.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered request: got %v", err)
	}
	r.Seed--
	// A request signature does not verify as a receipt or on another chain.
	if err := r.Verify("main"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("other chain: got %v", err)
	}
	ub, _ := r.unsignedBytes()
	if err := Verify(r.Client, "dev", KindReceipt, ub, r.Sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("cross-kind: got %v", err)
	}
}

func TestDecodeInferRequestRejects(t *testing.T) {
	good := signedRequest(t, testRequest())
	bad := func(edit func(r *InferRequest)) []byte {
		r, _ := DecodeInferRequest(good)
		edit(r)
		b, _ := Marshal(r)
		return b
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"too-large", make([]byte, MaxInferRequestSize+1)},
		{"version", bad(func(r *InferRequest) { r.Version = 9 })},
		{"both-prompts", bad(func(r *InferRequest) { r.Prompt = "x" })},
		{"no-prompt", bad(func(r *InferRequest) { r.Messages = nil })},
		{"role", bad(func(r *InferRequest) { r.Messages[0].Role = "tool" })},
		{"request-id", bad(func(r *InferRequest) { r.RequestID = r.RequestID[:8] })},
		{"temperature", bad(func(r *InferRequest) { r.Sampling.TemperatureMilli = MaxTemperatureMilli + 1 })},
		{"top-p", bad(func(r *InferRequest) { r.Sampling.TopPMilli = 1001 })},
		{"max-tokens", bad(func(r *InferRequest) { r.MaxTokens = MaxInferTokens + 1 })},
		{"stops", bad(func(r *InferRequest) { r.Stop = []string{"a", "b", "c", "d", "e"} })},
		{"empty-stop", bad(func(r *InferRequest) { r.Stop = []string{""} })},
		{"long-stop", bad(func(r *InferRequest) { r.Stop = []string{strings.Repeat("x", MaxStopLen+1)} })},
		{"negative-resume", bad(func(r *InferRequest) { r.ResumeTokens = []int32{5, -1} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeInferRequest(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
	r := testRequest()
	r.Prompt, r.Messages = "bad \xff utf8", nil
	if err := r.Sign(testKey(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeInferRequest(r); err == nil {
		t.Fatal("encoded a prompt that is not UTF-8")
	}
}

func testFrames(t testing.TB) []*Frame {
	req := signedRequest(t, testRequest())
	rc := &Receipt{
		ChainID: "dev", NetUID: 1, RequestHash: RequestHash(req), OutputHash: OutputHash([]int32{1, 2, 3}),
		ModelCID: RawCID([]byte("model")).Bytes(), PromptTokens: 12, CompletionTokens: 3, Finish: "length",
		TTFTMs: 20, DurationMs: 45,
	}
	if err := rc.Sign(testKey(4)); err != nil {
		t.Fatal(err)
	}
	return []*Frame{
		{Type: FrameChunk, Chunk: &Chunk{Seq: 0, TokenIDs: []int32{1}, Text: []byte("Once"), Logprobs: []float32{-0.5}}},
		{Type: FrameChunk, Chunk: &Chunk{Seq: 1, TokenIDs: []int32{2, 3}, Text: []byte{0xe2, 0x98}}},
		{Type: FrameChunk, Chunk: &Chunk{Seq: 2, TokenIDs: []int32{4}, Logprobs: []float32{float32(math.Inf(-1))}}},
		{Type: FrameReceipt, Receipt: rc},
		{Type: FrameError, Error: &Error{Code: CodeOverloaded, Message: "queue full"}},
	}
}

func TestFrameStream(t *testing.T) {
	var buf bytes.Buffer
	frames := testFrames(t)
	for _, f := range frames {
		b, err := EncodeFrame(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteMsg(&buf, b); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(&buf)
	for i, want := range frames {
		b, err := ReadMsg(r, MaxFrameSize)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		got, err := DecodeFrame(b)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		wb, _ := EncodeFrame(want)
		if gb, _ := EncodeFrame(got); !bytes.Equal(gb, wb) {
			t.Fatalf("frame %d differs after a round trip", i)
		}
	}
	if _, err := ReadMsg(r, MaxFrameSize); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
	rc := frames[3].Receipt
	if err := rc.Verify("dev"); err != nil {
		t.Fatal(err)
	}
	rc.CompletionTokens++
	if err := rc.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered receipt: %v", err)
	}
}

func TestReadMsgRejects(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"too-long", []byte{0x81, 0x80, 0x04}},                                           // 65537
		{"non-minimal", []byte{0x81, 0x00, 'x'}},                                         // 1 in two bytes
		{"overflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}}, // > 2^64
		{"short-body", []byte{0x05, 'a', 'b'}},
		{"cut-prefix", []byte{0x80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := ReadMsg(bufio.NewReader(bytes.NewReader(tt.b)), MaxFrameSize); err == nil {
				t.Fatalf("read %d bytes, want error", len(b))
			}
		})
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	good := testFrames(t)
	enc := func(f *Frame) []byte { b, _ := Marshal(f); return b }
	tests := []struct {
		name string
		f    *Frame
	}{
		{"no-body", &Frame{Type: FrameChunk}},
		{"two-bodies", &Frame{Type: FrameChunk, Chunk: good[0].Chunk, Error: good[4].Error}},
		{"type-mismatch", &Frame{Type: FrameError, Chunk: good[0].Chunk}},
		{"unknown-type", &Frame{Type: 9, Chunk: good[0].Chunk}},
		{"logprob-count", &Frame{Type: FrameChunk, Chunk: &Chunk{TokenIDs: []int32{1, 2}, Logprobs: []float32{-1}}}},
		{"positive-logprob", &Frame{Type: FrameChunk, Chunk: &Chunk{TokenIDs: []int32{1}, Logprobs: []float32{0.5}}}},
		{"bad-finish", &Frame{Type: FrameReceipt, Receipt: func() *Receipt { r := *good[3].Receipt; r.Finish = "tired"; return &r }()}},
		{"short-hash", &Frame{Type: FrameReceipt, Receipt: func() *Receipt { r := *good[3].Receipt; r.OutputHash = r.OutputHash[:4]; return &r }()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeFrame(enc(tt.f)); err == nil {
				t.Fatal("decoded, want error")
			}
			if _, err := EncodeFrame(tt.f); err == nil {
				t.Fatal("encoded, want error")
			}
		})
	}
}

func FuzzDecodeInferRequest(f *testing.F) {
	f.Add(signedRequest(f, testRequest()))
	r := testRequest()
	r.Messages, r.Prompt, r.ResumeTokens, r.ResumeTextLen = nil, "Once upon a time", []int32{1, 2, 3}, 5
	f.Add(signedRequest(f, r))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeInferRequest(b)
		if err != nil {
			return
		}
		again, err := EncodeInferRequest(r)
		if err != nil {
			t.Fatalf("accepted request does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b")
		}
		_ = r.Verify(r.ChainID)
	})
}

// FuzzDecodeFrame reads length-prefixed frames from a byte stream, as a
// client reads a miner's answer.
func FuzzDecodeFrame(f *testing.F) {
	for _, fr := range testFrames(f) {
		b, err := EncodeFrame(fr)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		WriteMsg(&buf, b)
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for {
			b, err := ReadMsg(r, MaxFrameSize)
			if err != nil {
				return
			}
			fr, err := DecodeFrame(b)
			if err != nil {
				continue
			}
			again, err := EncodeFrame(fr)
			if err != nil {
				t.Fatalf("accepted frame does not re-encode: %v", err)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("Encode(Decode(b)) != b")
			}
			if fr.Receipt != nil {
				_ = fr.Receipt.Verify(fr.Receipt.ChainID)
			}
		}
	})
}
