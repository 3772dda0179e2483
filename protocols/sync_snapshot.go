package protocols

import (
	"bytes"
	"crypto/sha256"

	"github.com/ipfs/go-cid"
)

// Snapshot sync (SyncSnapshotProtocol): a fresh node writes one
// SnapshotRequest; the peer answers with a SnapshotHead frame and then
// the head's Chunks SnapshotChunk frames in order, and closes the stream
// (or closes it at once if it holds no snapshot). The head carries the
// block at the snapshot height with its commit certificate: the node
// verifies the certificate against the validator set it trusts (or, when
// the set has changed, against the set the head names, of which the
// trusted set must have signed more than a third: see node's snapshot
// sync), and the snapshot against that block's state root, before it keeps
// anything.
// Frames are WriteMsg frames, checked against their Max before they are
// allocated.

// Snapshot sync limits.
const (
	// MaxSnapshotRequestSize bounds an encoded SnapshotRequest.
	MaxSnapshotRequestSize = 32 + MaxChainIDLen
	// MaxSnapshotHeadSize bounds an encoded SnapshotHead.
	MaxSnapshotHeadSize = MaxValueSize + MaxCommitSize + MaxValidatorSetSize + 512
	// MaxValidatorSetSize bounds an encoded validator set (hotkey,
	// coldkey and power of at most MaxValidators validators).
	MaxValidatorSetSize = MaxValidators*96 + 16
	// MaxSnapshotChunkSize bounds an encoded SnapshotChunk; a server
	// fills chunks to about a quarter of it.
	MaxSnapshotChunkSize = 4 << 20
	// MaxSnapshotChunkEntries bounds the entries of one SnapshotChunk.
	MaxSnapshotChunkEntries = 1 << 14
	// MaxSnapshotChunks bounds SnapshotHead.Chunks.
	MaxSnapshotChunks = 1 << 16
	// MaxSnapshotEntries bounds SnapshotHead.Entries.
	MaxSnapshotEntries = 1 << 32
)

// SnapshotRequest asks a peer for a state snapshot.
type SnapshotRequest struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	ChainID string
	Height  uint64 // 0: the latest the peer holds
}

// SnapshotHead describes a snapshot (the fields of ledger.Snapshot but
// its entries) and carries the committed block of its height.
type SnapshotHead struct {
	_           struct{} `cbor:",toarray"`
	Version     uint8
	Height      uint64
	PrevRoot    []byte // state root of Height-1, HashSize bytes
	WriteSetCID []byte // CID of the block's write set
	Digest      []byte // full-state digest, HashSize bytes
	Chunks      uint32 // SnapshotChunk frames that follow
	Entries     uint64 // state entries in all chunks
	Block       []byte // the block at Height (the decided value)
	Commit      Commit // its commit certificate
	// ValidatorSet is the ledger's encoding of the validator set that
	// committed Block (its SHA-256 is the block's ValidatorsHash), for a
	// node whose trusted set is older; empty when the server cannot name it.
	ValidatorSet []byte
}

// SnapshotEntry is one state entry.
type SnapshotEntry struct {
	_     struct{} `cbor:",toarray"`
	Key   []byte
	Value []byte
}

// SnapshotChunk is a run of a snapshot's entries, in key order.
type SnapshotChunk struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	Height  uint64
	Index   uint32 // 0, 1, ... within the snapshot
	Entries []SnapshotEntry
}

func (r *SnapshotRequest) validate() error {
	if r.Version != SyncVersion {
		return shapeErr("sync version %d, this node speaks %d (upgrade tao if peers are newer)", r.Version, SyncVersion)
	}
	if ValidateChainID(r.ChainID) != nil {
		return shapeErr("chain ID %q", r.ChainID)
	}
	return nil
}

func (h *SnapshotHead) validate() error {
	if h.Version != SyncVersion {
		return shapeErr("sync version %d, this node speaks %d (upgrade tao if peers are newer)", h.Version, SyncVersion)
	}
	if err := h.Commit.validate(); err != nil {
		return err
	}
	switch {
	case h.Height == 0 || h.Commit.Height != h.Height:
		return shapeErr("snapshot at %d with a commit for height %d", h.Height, h.Commit.Height)
	case len(h.PrevRoot) != sha256.Size || len(h.Digest) != sha256.Size:
		return shapeErr("snapshot roots of %d and %d bytes", len(h.PrevRoot), len(h.Digest))
	case h.Chunks > MaxSnapshotChunks || h.Entries > MaxSnapshotEntries:
		return shapeErr("snapshot of %d chunks, %d entries", h.Chunks, h.Entries)
	case (h.Chunks == 0) != (h.Entries == 0) || uint64(h.Chunks) > h.Entries:
		return shapeErr("snapshot of %d chunks for %d entries", h.Chunks, h.Entries)
	case len(h.Block) == 0 || len(h.Block) > MaxValueSize:
		return shapeErr("snapshot block of %d bytes", len(h.Block))
	case !bytes.Equal(ValueID(h.Block), h.Commit.ValueID):
		return shapeErr("snapshot block does not match its commit")
	}
	if len(h.ValidatorSet) > MaxValidatorSetSize {
		return shapeErr("validator set of %d bytes", len(h.ValidatorSet))
	}
	if len(h.WriteSetCID) > MaxCIDSize {
		return shapeErr("write set CID of %d bytes", len(h.WriteSetCID))
	}
	if _, err := cid.Cast(h.WriteSetCID); err != nil {
		return shapeErr("write set CID: %v", err)
	}
	return nil
}

func (c *SnapshotChunk) validate() error {
	if c.Version != SyncVersion {
		return shapeErr("sync version %d, this node speaks %d (upgrade tao if peers are newer)", c.Version, SyncVersion)
	}
	if c.Height == 0 || len(c.Entries) == 0 || len(c.Entries) > MaxSnapshotChunkEntries {
		return shapeErr("snapshot chunk at %d with %d entries", c.Height, len(c.Entries))
	}
	for i, e := range c.Entries {
		if len(e.Key) == 0 || len(e.Value) == 0 {
			return shapeErr("snapshot entry %d is empty", i)
		}
		if i > 0 && bytes.Compare(c.Entries[i-1].Key, e.Key) >= 0 {
			return shapeErr("snapshot entry %d is out of key order", i)
		}
	}
	return nil
}

// EncodeSnapshotRequest returns the canonical encoding of r.
func EncodeSnapshotRequest(r *SnapshotRequest) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return Marshal(r)
}

// DecodeSnapshotRequest decodes and checks a SnapshotRequest.
func DecodeSnapshotRequest(b []byte) (*SnapshotRequest, error) {
	var r SnapshotRequest
	if err := Unmarshal(b, &r, MaxSnapshotRequestSize); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// EncodeSnapshotHead returns the canonical encoding of h.
func EncodeSnapshotHead(h *SnapshotHead) ([]byte, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	return Marshal(h)
}

// DecodeSnapshotHead decodes and checks the shape of a SnapshotHead: its
// commit is for its height and names its block. It verifies no
// signatures and nothing about the state.
func DecodeSnapshotHead(b []byte) (*SnapshotHead, error) {
	var h SnapshotHead
	if err := Unmarshal(b, &h, MaxSnapshotHeadSize); err != nil {
		return nil, err
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	return &h, nil
}

// EncodeSnapshotChunk returns the canonical encoding of c.
func EncodeSnapshotChunk(c *SnapshotChunk) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	return Marshal(c)
}

// DecodeSnapshotChunk decodes and checks the shape of a SnapshotChunk.
func DecodeSnapshotChunk(b []byte) (*SnapshotChunk, error) {
	var c SnapshotChunk
	if err := Unmarshal(b, &c, MaxSnapshotChunkSize); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
