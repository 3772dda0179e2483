package protocols

import (
	"bytes"
	"errors"
	"testing"
)

func testSyncBlock(t testing.TB) *SyncBlock {
	c, _ := testCommit(t, 4, []int{1, 2, 3})
	return &SyncBlock{Version: SyncVersion, Height: 5, Value: []byte("block at 5"), Commit: *c}
}

func TestSyncBlockRoundTrip(t *testing.T) {
	s := testSyncBlock(t)
	b := mustEncode(t, EncodeSyncBlock, s)
	got, err := DecodeSyncBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	_, vals := testCommit(t, 4, nil)
	if got.Height != 5 || !bytes.Equal(got.Value, s.Value) || got.Commit.Verify("dev", vals) != nil {
		t.Fatalf("got %+v", got)
	}
}

func TestSyncBlockRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SyncBlock)
	}{
		{"version-2", func(s *SyncBlock) { s.Version = 2 }},
		{"height-0", func(s *SyncBlock) { s.Height, s.Commit.Height = 0, 0 }},
		{"commit-for-other-height", func(s *SyncBlock) { s.Height = 6 }},
		{"value-not-certified", func(s *SyncBlock) { s.Value = []byte("block at 5, changed") }},
		{"empty-value", func(s *SyncBlock) { s.Value = nil }},
		{"commit-without-signatures", func(s *SyncBlock) { s.Commit.Sigs = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSyncBlock(t)
			tt.change(s)
			if _, err := EncodeSyncBlock(s); err == nil {
				t.Fatal("encoded")
			}
			b, err := Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeSyncBlock(b); err == nil {
				t.Fatal("decoded")
			}
		})
	}
	if _, err := DecodeSyncBlock(make([]byte, MaxSyncBlockSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: got %v, want ErrTooLarge", err)
	}
}

func TestBlocksRequestRejects(t *testing.T) {
	ok := BlocksRequest{Version: SyncVersion, ChainID: "dev", From: 1, Count: MaxSyncBlocks}
	if _, err := DecodeBlocksRequest(mustEncode(t, EncodeBlocksRequest, &ok)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*BlocksRequest)
	}{
		{"version-0", func(r *BlocksRequest) { r.Version = 0 }},
		{"bad-chain", func(r *BlocksRequest) { r.ChainID = "Dev!" }},
		{"from-0", func(r *BlocksRequest) { r.From = 0 }},
		{"count-0", func(r *BlocksRequest) { r.Count = 0 }},
		{"count-over-limit", func(r *BlocksRequest) { r.Count = MaxSyncBlocks + 1 }},
		{"range-overflows", func(r *BlocksRequest) { r.From = ^uint64(0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.change(&r)
			b, err := Marshal(&r)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeBlocksRequest(b); err == nil {
				t.Fatal("decoded")
			}
		})
	}
}

func FuzzDecodeSyncBlock(f *testing.F) {
	f.Add(mustEncode(f, EncodeSyncBlock, testSyncBlock(f)))
	s := testSyncBlock(f)
	s.Height = 6
	b, _ := Marshal(s)
	f.Add(b)
	f.Add([]byte{0x84})
	_, vals := testCommit(f, 4, nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeSyncBlock, EncodeSyncBlock, func(s *SyncBlock) { _ = s.Commit.Verify("dev", vals) })
	})
}

func FuzzDecodeBlocksRequest(f *testing.F) {
	f.Add(mustEncode(f, EncodeBlocksRequest, &BlocksRequest{Version: SyncVersion, ChainID: "dev", From: 1, Count: 1}))
	f.Add(mustEncode(f, EncodeBlocksRequest, &BlocksRequest{Version: SyncVersion, ChainID: "dev", From: 1 << 40, Count: MaxSyncBlocks}))
	f.Add([]byte{0x84})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeBlocksRequest, EncodeBlocksRequest, func(*BlocksRequest) {})
	})
}
