package protocols

import (
	"bytes"
)

// Bulk block sync (SyncBlocksProtocol): a node that is many blocks behind
// opens a stream to a peer that is ahead and writes one BlocksRequest; the
// peer answers with one SyncBlock frame per block it holds, in height
// order from From, and closes the stream. Each message is a WriteMsg
// frame (uvarint length, then canonical CBOR), checked against its Max
// before it is allocated. The peer may stop early (it has fewer blocks, or
// it bounds the bytes of one answer); the node asks again from where the
// answer ended.

// SyncVersion is the only version of the sync messages this code speaks.
const SyncVersion = 1

// Bulk sync limits.
const (
	// MaxSyncBlocks bounds BlocksRequest.Count: the blocks of one answer.
	MaxSyncBlocks = 256
	// MaxBlocksRequestSize bounds an encoded BlocksRequest.
	MaxBlocksRequestSize = 64 + MaxChainIDLen
	// MaxSyncBlockSize bounds an encoded SyncBlock: one block (a decided
	// value) and its commit certificate.
	MaxSyncBlockSize = MaxValueSize + MaxCommitSize + 64
)

// BlocksRequest asks a peer for the committed blocks From, From+1, ...,
// From+Count-1 with their commit certificates.
type BlocksRequest struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	ChainID string
	From    uint64 // >= 1
	Count   uint32 // 1 to MaxSyncBlocks
}

// SyncBlock is one committed block, as its value bytes (the canonical
// Block encoding the validators decided), with the commit certificate
// that decided it. The decoder checks that the certificate names this
// height and this value; whether its signatures carry two thirds of the
// voting power is for the receiver to verify against the validator set
// it tracks (Commit.Verify).
type SyncBlock struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	Height  uint64
	Value   []byte
	Commit  Commit
}

func (r *BlocksRequest) validate() error {
	if r.Version != SyncVersion {
		return shapeErr("sync version %d, this node speaks %d (upgrade tao if peers are newer)", r.Version, SyncVersion)
	}
	switch {
	case ValidateChainID(r.ChainID) != nil:
		return shapeErr("chain ID %q", r.ChainID)
	case r.From == 0:
		return shapeErr("blocks from height 0 (the first block is 1)")
	case r.Count == 0 || r.Count > MaxSyncBlocks:
		return shapeErr("%d blocks asked, limit %d", r.Count, MaxSyncBlocks)
	case r.From+uint64(r.Count) < r.From:
		return shapeErr("block range overflows")
	}
	return nil
}

func (b *SyncBlock) validate() error {
	if b.Version != SyncVersion {
		return shapeErr("sync version %d, this node speaks %d (upgrade tao if peers are newer)", b.Version, SyncVersion)
	}
	if err := b.Commit.validate(); err != nil {
		return err
	}
	switch {
	case b.Height == 0 || b.Commit.Height != b.Height:
		return shapeErr("sync block %d with a commit for height %d", b.Height, b.Commit.Height)
	case len(b.Value) == 0 || len(b.Value) > MaxValueSize:
		return shapeErr("sync block value of %d bytes", len(b.Value))
	case !bytes.Equal(ValueID(b.Value), b.Commit.ValueID):
		return shapeErr("sync block value does not match its commit")
	}
	return nil
}

// EncodeBlocksRequest returns the canonical encoding of r.
func EncodeBlocksRequest(r *BlocksRequest) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return Marshal(r)
}

// DecodeBlocksRequest decodes and checks a BlocksRequest.
func DecodeBlocksRequest(b []byte) (*BlocksRequest, error) {
	var r BlocksRequest
	if err := Unmarshal(b, &r, MaxBlocksRequestSize); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// EncodeSyncBlock returns the canonical encoding of s.
func EncodeSyncBlock(s *SyncBlock) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	return Marshal(s)
}

// DecodeSyncBlock decodes and checks the shape of a SyncBlock: the commit
// is for Height and names Value. It verifies no signatures.
func DecodeSyncBlock(b []byte) (*SyncBlock, error) {
	var s SyncBlock
	if err := Unmarshal(b, &s, MaxSyncBlockSize); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}
