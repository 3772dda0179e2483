package scoring

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Limits of a Reveal.
const (
	MaxUIDs      = 4096 // uids per row (spec/yuma.md §9, n ≤ 4096)
	MaxHotkeyLen = 255  // bytes of the hotkey's public key
	MaxSaltLen   = 255  // bytes of salt
	SaltSize     = 32   // bytes NewSalt draws
)

// Errors of commit-reveal.
var (
	ErrBadReveal      = errors.New("scoring: malformed reveal")
	ErrRevealMismatch = errors.New("scoring: reveal does not match the commit")
)

// commitDomain separates commit hashes from every other hash of the
// protocol, so no other object's digest can pass as a commit.
const commitDomain = "tao/v1/weights-commit"

// Commit is the SHA-256 a validator puts on the ledger in place of its
// weights (commit-reveal, spec/yuma.md §3.5 step 4).
type Commit [sha256.Size]byte

func (c Commit) String() string { return hex.EncodeToString(c[:]) }

// Reveal is what a validator publishes one reveal period after its commit:
// the row and the salt that hide it until then.
type Reveal struct {
	NetUID uint16
	// Hotkey is the committing hotkey's public key. It is hashed so that a
	// copier cannot submit someone else's commit and later reveal the
	// other validator's freshly revealed row as its own (subtensor hashes
	// the account for the same reason).
	Hotkey     []byte
	UIDs       []uint16
	Values     []uint16
	Salt       []byte // SaltSize random bytes from NewSalt; at most MaxSaltLen
	VersionKey uint64 // the subnet's WeightsVersionKey the row was made for
}

// Hash returns the commit of r: SHA-256 over
//
//	"tao/v1/weights-commit"            21 bytes, the domain
//	netuid                             u16 big-endian
//	len(hotkey) ‖ hotkey               u8, bytes
//	count = len(uids)                  u16 big-endian (≤ 4096)
//	uids[0..count)                     u16 big-endian each, in row order
//	values[0..count)                   u16 big-endian each, in row order
//	len(salt) ‖ salt                   u8, bytes
//	version key                        u64 big-endian
//
// Every variable-length part is length-prefixed, so two different reveals
// never encode to the same bytes. It fails with ErrBadReveal if the lengths
// break the limits or len(UIDs) ≠ len(Values).
func (r Reveal) Hash() (Commit, error) {
	b, err := r.encode()
	if err != nil {
		return Commit{}, err
	}
	return sha256.Sum256(b), nil
}

func (r Reveal) encode() ([]byte, error) {
	switch {
	case len(r.UIDs) != len(r.Values):
		return nil, fmt.Errorf("%d uids but %d values: %w", len(r.UIDs), len(r.Values), ErrBadReveal)
	case len(r.UIDs) > MaxUIDs:
		return nil, fmt.Errorf("%d uids, at most %d: %w", len(r.UIDs), MaxUIDs, ErrBadReveal)
	case len(r.Hotkey) > MaxHotkeyLen:
		return nil, fmt.Errorf("hotkey of %d bytes, at most %d: %w", len(r.Hotkey), MaxHotkeyLen, ErrBadReveal)
	case len(r.Salt) > MaxSaltLen:
		return nil, fmt.Errorf("salt of %d bytes, at most %d: %w", len(r.Salt), MaxSaltLen, ErrBadReveal)
	}
	b := make([]byte, 0, len(commitDomain)+2+1+len(r.Hotkey)+2+4*len(r.UIDs)+1+len(r.Salt)+8)
	b = append(b, commitDomain...)
	b = binary.BigEndian.AppendUint16(b, r.NetUID)
	b = append(b, byte(len(r.Hotkey)))
	b = append(b, r.Hotkey...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.UIDs)))
	for _, u := range r.UIDs {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	for _, v := range r.Values {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	b = append(b, byte(len(r.Salt)))
	b = append(b, r.Salt...)
	b = binary.BigEndian.AppendUint64(b, r.VersionKey)
	return b, nil
}

// Verify checks that r opens c: ErrBadReveal if r is malformed (including
// duplicate uids, which set_weights rejects), ErrRevealMismatch if its hash
// is not c.
func (r Reveal) Verify(c Commit) error {
	h, err := r.Hash()
	if err != nil {
		return err
	}
	seen := make(map[uint16]bool, len(r.UIDs))
	for _, u := range r.UIDs {
		if seen[u] {
			return fmt.Errorf("uid %d twice: %w", u, ErrBadReveal)
		}
		seen[u] = true
	}
	if subtle.ConstantTimeCompare(h[:], c[:]) != 1 {
		return ErrRevealMismatch
	}
	return nil
}

// NewSalt draws SaltSize bytes from rand (crypto/rand.Reader in a node; a
// seeded reader in a simulation). A salt must never be reused: with a
// known salt, a commit of a guessable row can be opened early.
func NewSalt(rand io.Reader) ([]byte, error) {
	s := make([]byte, SaltSize)
	if _, err := io.ReadFull(rand, s); err != nil {
		return nil, fmt.Errorf("draw salt: %w", err)
	}
	return s, nil
}
