package ledger

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
)

// Account is a coldkey's ed25519 public key: the owner of a balance and a
// nonce. Its text form (JSON, logs) is 64 lowercase hex digits; the
// checksummed "tao1…" form belongs to the wallet and the CLI.
type Account [ed25519.PublicKeySize]byte

// AccountOf converts a 32-byte public key.
func AccountOf(pub []byte) (Account, error) {
	var a Account
	if len(pub) != len(a) {
		return a, fmt.Errorf("ledger: account key is %d bytes, want %d", len(pub), len(a))
	}
	copy(a[:], pub)
	return a, nil
}

// String returns the key in hex.
func (a Account) String() string { return hex.EncodeToString(a[:]) }

// MarshalText encodes the account as hex.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes 64 hex digits.
func (a *Account) UnmarshalText(b []byte) error {
	if len(b) != 2*len(a) {
		return fmt.Errorf("ledger: account %q is not %d hex digits (give the coldkey public key in hex)", clip(string(b)), 2*len(a))
	}
	if _, err := hex.Decode(a[:], b); err != nil {
		return fmt.Errorf("ledger: account %q: %v", clip(string(b)), err)
	}
	return nil
}

func clip(s string) string {
	if len(s) > 72 {
		return s[:72] + "…"
	}
	return s
}
