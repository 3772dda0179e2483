package wallet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// AddressPrefix starts every coldkey address.
const AddressPrefix = "tao1"

const (
	checksumSize = 4
	// AddressLen is the length of a coldkey address string: the prefix and
	// base32 of 36 bytes without padding.
	AddressLen = len(AddressPrefix) + (ed25519.PublicKeySize+checksumSize)*8/5 + 1
)

var (
	// ErrBadAddress reports a string that is not a coldkey address.
	ErrBadAddress = errors.New("wallet: malformed coldkey address")
	// ErrBadChecksum reports a coldkey address whose checksum does not match:
	// usually a typo or a truncated copy.
	ErrBadChecksum = errors.New("wallet: coldkey address checksum mismatch")
)

// addrEncoding is lowercase RFC 4648 base32 without padding.
var addrEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Address is a coldkey's public key. Its String is the checksummed form
// described in the package doc. The zero Address is not a valid key.
type Address [ed25519.PublicKeySize]byte

// ColdkeyAddress returns the address of a coldkey public key.
func ColdkeyAddress(pub ed25519.PublicKey) Address {
	var a Address
	copy(a[:], pub)
	return a
}

// PublicKey returns the ed25519 public key.
func (a Address) PublicKey() ed25519.PublicKey { return bytes.Clone(a[:]) }

// String returns "tao1" + base32(pubkey || checksum).
func (a Address) String() string {
	var buf [ed25519.PublicKeySize + checksumSize]byte
	copy(buf[:], a[:])
	sum := addressChecksum(a)
	copy(buf[ed25519.PublicKeySize:], sum[:])
	return AddressPrefix + addrEncoding.EncodeToString(buf[:])
}

// MarshalText encodes the address as its string, for JSON.
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses the string form.
func (a *Address) UnmarshalText(b []byte) error {
	p, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// addressChecksum binds the prefix, so a key printed for another network or
// format never checks out as a tao address.
func addressChecksum(a Address) [checksumSize]byte {
	h := sha256.New()
	h.Write([]byte(AddressPrefix))
	h.Write(a[:])
	var sum [checksumSize]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// ParseAddress parses a coldkey address. Case does not matter; surrounding
// space is not accepted. A wrong checksum yields an error wrapping
// ErrBadChecksum, anything else malformed one wrapping ErrBadAddress.
func ParseAddress(s string) (Address, error) {
	var a Address
	if len(s) != AddressLen {
		return a, fmt.Errorf("%w %q: %d characters, want %d", ErrBadAddress, clip(s), len(s), AddressLen)
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, AddressPrefix) {
		return a, fmt.Errorf("%w %q: does not start with %q", ErrBadAddress, clip(s), AddressPrefix)
	}
	body := lower[len(AddressPrefix):]
	raw, err := addrEncoding.DecodeString(body)
	if err != nil || len(raw) != ed25519.PublicKeySize+checksumSize || addrEncoding.EncodeToString(raw) != body {
		// The re-encode check rejects non-zero padding bits, so each key
		// has exactly one address.
		return a, fmt.Errorf("%w %q: not base32 (letters a-z and digits 2-7)", ErrBadAddress, clip(s))
	}
	copy(a[:], raw)
	if sum := addressChecksum(a); !bytes.Equal(sum[:], raw[ed25519.PublicKeySize:]) {
		return Address{}, fmt.Errorf("%w in %q: check for a typo and copy the address again", ErrBadChecksum, s)
	}
	return a, nil
}

// clip keeps error messages short when the input is huge.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// HotkeyAddress returns the libp2p peer ID of a hotkey public key.
func HotkeyAddress(pub ed25519.PublicKey) (peer.ID, error) {
	pk, err := crypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("wallet: hotkey public key: %w", err)
	}
	return peer.IDFromPublicKey(pk)
}

// ParseHotkeyAddress parses a peer ID and returns its ed25519 public key. It
// fails for peer IDs of other key types.
func ParseHotkeyAddress(s string) (ed25519.PublicKey, error) {
	id, err := peer.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("wallet: hotkey address %q is not a peer ID: %w", clip(s), err)
	}
	pk, err := id.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("wallet: hotkey address %q: %w", clip(s), err)
	}
	if pk.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("wallet: hotkey address %q is not an ed25519 key", clip(s))
	}
	raw, err := pk.Raw()
	if err != nil {
		return nil, fmt.Errorf("wallet: hotkey address %q: %w", clip(s), err)
	}
	return ed25519.PublicKey(raw), nil
}
