package protocols

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// BlockVersion is the only Block (and Header) version this code accepts.
const BlockVersion = 1

// Block limits. A proposal carries the whole block in one gossip message,
// so MaxBlockSize leaves a megabyte of MaxGossipSize for the proposal's
// envelope (round, signature, proof of lock).
const (
	MaxBlockSize   = MaxGossipSize - 1<<20
	MaxTxsPerBlock = 10_000
	// MaxHeaderSize bounds an encoded Header (about 250 bytes in practice).
	MaxHeaderSize = 1024
	// MaxCIDSize bounds a CID carried in a header (a sha2-256 CIDv1 is 36
	// bytes).
	MaxCIDSize = 64
)

// HashSize is the length of a header's StateRoot and ValidatorsHash
// (SHA-256).
const HashSize = sha256.Size

// ErrBadBlock reports a block or header that is malformed regardless of
// state.
var ErrBadBlock = errors.New("protocols: malformed block")

// Header describes a block and commits to everything in it. A block is named
// by the CID of its header's encoding (Header.ID); the header commits to the
// transactions through TxsHash.
type Header struct {
	_              struct{} `cbor:",toarray"`
	Version        uint8
	ChainID        string
	Height         uint64 // 1 for the first block after genesis
	Time           int64  // unix milliseconds, chosen by the proposer; increases with height
	PrevHash       []byte // CID bytes of the previous header; the genesis hash at height 1
	TxsHash        []byte // CID bytes of the encoding of Block.Txs (TxsHash)
	StateRoot      []byte // state root after executing this block, HashSize bytes
	ValidatorsHash []byte // hash of the validator set that commits this block, HashSize bytes
	Proposer       []byte // proposer's hotkey ed25519 public key, 32 bytes
}

// Block is a header and the transactions it orders.
type Block struct {
	_      struct{} `cbor:",toarray"`
	Header Header
	Txs    []Tx // never nil in an encoded block: no transactions is an empty array
}

// ID returns the block ID: the CID of the header's encoding.
func (h *Header) ID() (cid.Cid, error) {
	b, err := EncodeHeader(h)
	if err != nil {
		return cid.Undef, err
	}
	return CID(b), nil
}

// ID returns the block's ID, the CID of its header.
func (b *Block) ID() (cid.Cid, error) { return b.Header.ID() }

// TxsHash returns the CID of the canonical encoding of txs, the value of
// Header.TxsHash. A nil list hashes as an empty one.
//
// It hashes the encoding as it writes it, a transaction at a time (its
// cached encoding where it has one), instead of building the list's
// encoding: a block's is a few hundred kilobytes, and every validator
// computes it twice.
func TxsHash(txs []Tx) (cid.Cid, error) {
	h := sha256.New()
	var buf []byte
	buf = appendHead(buf, 4, uint64(len(txs)))
	for i := range txs {
		if e := txs[i].encoding(); e != nil {
			h.Write(buf)
			h.Write(e.b)
			buf = buf[:0]
			continue
		}
		buf = txs[i].appendCBOR(buf)
	}
	h.Write(buf)
	var id [len(cidPrefix) + sha256.Size]byte
	copy(id[:], cidPrefix[:])
	return cid.Cast(h.Sum(id[:len(cidPrefix)]))
}

func validCID(b []byte) bool {
	if len(b) == 0 || len(b) > MaxCIDSize {
		return false
	}
	_, err := cid.Cast(b)
	return err == nil
}

func (h *Header) validate() error {
	switch {
	case h.Version != BlockVersion:
		return fmt.Errorf("%w: version %d, this node speaks %d (upgrade tao if peers are newer)", ErrBadBlock, h.Version, BlockVersion)
	case ValidateChainID(h.ChainID) != nil:
		return fmt.Errorf("%w: chain ID %q", ErrBadBlock, h.ChainID)
	case h.Height == 0:
		return fmt.Errorf("%w: height 0 is the genesis state, not a block", ErrBadBlock)
	case h.Time <= 0:
		return fmt.Errorf("%w: time %d is not after the unix epoch", ErrBadBlock, h.Time)
	case !validCID(h.PrevHash):
		return fmt.Errorf("%w: previous hash is not a CID", ErrBadBlock)
	case !validCID(h.TxsHash):
		return fmt.Errorf("%w: txs hash is not a CID", ErrBadBlock)
	case len(h.StateRoot) != HashSize:
		return fmt.Errorf("%w: state root is %d bytes, want %d", ErrBadBlock, len(h.StateRoot), HashSize)
	case len(h.ValidatorsHash) != HashSize:
		return fmt.Errorf("%w: validators hash is %d bytes, want %d", ErrBadBlock, len(h.ValidatorsHash), HashSize)
	case len(h.Proposer) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: proposer is %d bytes, want %d", ErrBadBlock, len(h.Proposer), ed25519.PublicKeySize)
	}
	return nil
}

func (b *Block) validate() error {
	if err := b.Header.validate(); err != nil {
		return err
	}
	if b.Txs == nil {
		return fmt.Errorf("%w: transaction list is null, want an array", ErrBadBlock)
	}
	if len(b.Txs) > MaxTxsPerBlock {
		return fmt.Errorf("%w: %d transactions, limit %d", ErrBadBlock, len(b.Txs), MaxTxsPerBlock)
	}
	for i := range b.Txs {
		if err := b.Txs[i].validate(); err != nil {
			return fmt.Errorf("%w: transaction %d: %w", ErrBadBlock, i, err)
		}
	}
	return nil
}

// EncodeHeader returns the canonical encoding of h.
func EncodeHeader(h *Header) ([]byte, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	return Marshal(h)
}

// DecodeHeader decodes and checks the shape of a Header.
func DecodeHeader(b []byte) (*Header, error) {
	var h Header
	if err := Unmarshal(b, &h, MaxHeaderSize); err != nil {
		return nil, err
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	return &h, nil
}

// EncodeBlock returns the canonical encoding of b. A nil Txs is encoded as
// an empty array.
func EncodeBlock(b *Block) ([]byte, error) {
	if b.Txs == nil {
		c := *b
		c.Txs = []Tx{}
		b = &c
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	out, err := Marshal(b)
	if err != nil {
		return nil, err
	}
	if len(out) > MaxBlockSize {
		return nil, fmt.Errorf("%w: block is %d bytes, limit %d", ErrTooLarge, len(out), MaxBlockSize)
	}
	return out, nil
}

// DecodeBlock decodes and checks the shape of a Block and of each of its
// transactions. It verifies neither signatures nor the header's hashes
// against the transactions; the ledger does that when it validates the
// block.
func DecodeBlock(b []byte) (*Block, error) {
	var blk Block
	if err := Unmarshal(b, &blk, MaxBlockSize); err != nil {
		return nil, err
	}
	if err := blk.validate(); err != nil {
		return nil, err
	}
	return &blk, nil
}
