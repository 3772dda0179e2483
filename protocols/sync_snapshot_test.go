package protocols

import (
	"bytes"
	"errors"
	"testing"
)

func testSnapshotHead(t testing.TB) *SnapshotHead {
	c, _ := testCommit(t, 4, []int{1, 2, 3})
	ws := CID([]byte("write set")).Bytes()
	return &SnapshotHead{Version: SyncVersion, Height: 5, PrevRoot: bytes.Repeat([]byte{1}, 32), WriteSetCID: ws,
		Digest: bytes.Repeat([]byte{2}, 32), Chunks: 2, Entries: 3, Block: []byte("block at 5"), Commit: *c,
		ValidatorSet: []byte("the ledger's encoding of a set")}
}

func testSnapshotChunk() *SnapshotChunk {
	return &SnapshotChunk{Version: SyncVersion, Height: 5, Index: 1,
		Entries: []SnapshotEntry{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("2")}}}
}

func TestSnapshotMessagesRoundTrip(t *testing.T) {
	h := testSnapshotHead(t)
	if got, err := DecodeSnapshotHead(mustEncode(t, EncodeSnapshotHead, h)); err != nil || got.Height != 5 || got.Chunks != 2 || !bytes.Equal(got.ValidatorSet, h.ValidatorSet) {
		t.Fatalf("head: %+v, %v", got, err)
	}
	c := testSnapshotChunk()
	if got, err := DecodeSnapshotChunk(mustEncode(t, EncodeSnapshotChunk, c)); err != nil || len(got.Entries) != 2 {
		t.Fatalf("chunk: %+v, %v", got, err)
	}
	r := &SnapshotRequest{Version: SyncVersion, ChainID: "dev"}
	if got, err := DecodeSnapshotRequest(mustEncode(t, EncodeSnapshotRequest, r)); err != nil || got.ChainID != "dev" {
		t.Fatalf("request: %+v, %v", got, err)
	}
}

func TestSnapshotHeadRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SnapshotHead)
	}{
		{"version-2", func(h *SnapshotHead) { h.Version = 2 }},
		{"commit-for-other-height", func(h *SnapshotHead) { h.Height = 6 }},
		{"block-not-certified", func(h *SnapshotHead) { h.Block = []byte("other block") }},
		{"short-digest", func(h *SnapshotHead) { h.Digest = h.Digest[:31] }},
		{"bad-write-set-cid", func(h *SnapshotHead) { h.WriteSetCID = []byte{1, 2, 3} }},
		{"chunks-without-entries", func(h *SnapshotHead) { h.Entries = 0 }},
		{"more-chunks-than-entries", func(h *SnapshotHead) { h.Chunks = 4 }},
		{"too-many-chunks", func(h *SnapshotHead) { h.Chunks, h.Entries = MaxSnapshotChunks+1, 1<<20 }},
		{"huge-validator-set", func(h *SnapshotHead) { h.ValidatorSet = make([]byte, MaxValidatorSetSize+1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testSnapshotHead(t)
			tt.change(h)
			b, err := Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeSnapshotHead(b); err == nil {
				t.Fatal("decoded")
			}
		})
	}
	if _, err := DecodeSnapshotHead(make([]byte, MaxSnapshotHeadSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: got %v, want ErrTooLarge", err)
	}
}

func TestSnapshotChunkRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SnapshotChunk)
	}{
		{"no-entries", func(c *SnapshotChunk) { c.Entries = nil }},
		{"out-of-order", func(c *SnapshotChunk) { c.Entries[0], c.Entries[1] = c.Entries[1], c.Entries[0] }},
		{"duplicate-key", func(c *SnapshotChunk) { c.Entries[1].Key = c.Entries[0].Key }},
		{"empty-value", func(c *SnapshotChunk) { c.Entries[1].Value = nil }},
		{"height-0", func(c *SnapshotChunk) { c.Height = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testSnapshotChunk()
			tt.change(c)
			b, err := Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeSnapshotChunk(b); err == nil {
				t.Fatal("decoded")
			}
		})
	}
}

func FuzzDecodeSnapshotHead(f *testing.F) {
	f.Add(mustEncode(f, EncodeSnapshotHead, testSnapshotHead(f)))
	f.Add([]byte{0x89})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeSnapshotHead, EncodeSnapshotHead, func(*SnapshotHead) {})
	})
}

func FuzzDecodeSnapshotChunk(f *testing.F) {
	f.Add(mustEncode(f, EncodeSnapshotChunk, testSnapshotChunk()))
	f.Add([]byte{0x84})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeSnapshotChunk, EncodeSnapshotChunk, func(*SnapshotChunk) {})
	})
}

func FuzzDecodeSnapshotRequest(f *testing.F) {
	f.Add(mustEncode(f, EncodeSnapshotRequest, &SnapshotRequest{Version: SyncVersion, ChainID: "dev"}))
	f.Add(mustEncode(f, EncodeSnapshotRequest, &SnapshotRequest{Version: SyncVersion, ChainID: "dev", Height: 1 << 33}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeSnapshotRequest, EncodeSnapshotRequest, func(*SnapshotRequest) {})
	})
}
