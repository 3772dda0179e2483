package wallet

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Kind says which role a key plays.
type Kind string

const (
	// Coldkey owns balances and stake; it may live on another machine.
	Coldkey Kind = "coldkey"
	// Hotkey is a node's libp2p identity; it signs weights, heartbeats,
	// receipts and votes.
	Hotkey Kind = "hotkey"
)

func (k Kind) valid() bool { return k == Coldkey || k == Hotkey }

// SeedSize is the size of an ed25519 seed, the secret a key file stores.
const SeedSize = ed25519.SeedSize

// Key is an unlocked ed25519 coldkey or hotkey. It is immutable and safe for
// concurrent use. Its String, GoString and LogValue print only the address, so
// logging a Key never leaks the secret.
type Key struct {
	kind    Kind
	priv    ed25519.PrivateKey
	entropy []byte // BIP-39 entropy (16 or 32 bytes); nil when unknown
}

// NewKey builds a key of the given kind from a 32-byte ed25519 seed.
func NewKey(kind Kind, seed []byte) (*Key, error) {
	if !kind.valid() {
		return nil, fmt.Errorf("wallet: unknown key kind %q (want coldkey or hotkey)", kind)
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("wallet: ed25519 seed has %d bytes, want %d", len(seed), SeedSize)
	}
	return &Key{kind: kind, priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// GenerateKey draws a fresh mnemonic of the given word count (12 or 24; 0
// means 12) from rand (nil means crypto/rand) and derives a key from it. The
// mnemonic is available from the key's Mnemonic method.
func GenerateKey(kind Kind, rand io.Reader, words int) (*Key, error) {
	m, err := NewMnemonic(rand, words)
	if err != nil {
		return nil, err
	}
	return KeyFromMnemonic(kind, m)
}

// KeyFromMnemonic derives a key from a BIP-39 mnemonic as the package doc
// describes. Whitespace and case in the mnemonic do not matter.
func KeyFromMnemonic(kind Kind, mnemonic string) (*Key, error) {
	seed, entropy, err := seedFromMnemonic(mnemonic)
	if err != nil {
		return nil, err
	}
	k, err := NewKey(kind, seed)
	if err != nil {
		return nil, err
	}
	k.entropy = entropy
	return k, nil
}

// Kind reports whether k is a coldkey or a hotkey.
func (k *Key) Kind() Kind { return k.kind }

// Public returns the ed25519 public key. The caller must not modify it.
func (k *Key) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Seed returns a copy of the 32-byte ed25519 seed: the secret itself.
func (k *Key) Seed() []byte { return k.priv.Seed() }

// Sign signs msg with plain ed25519. Callers sign domain-separated bytes
// (package protocols builds them); this method adds nothing.
func (k *Key) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }

// Mnemonic returns the BIP-39 words the key was derived from, and false when
// the key was not made from a mnemonic (or its file did not keep the entropy).
func (k *Key) Mnemonic() (string, bool) {
	if k.entropy == nil {
		return "", false
	}
	m, err := mnemonicFromEntropy(k.entropy)
	if err != nil {
		return "", false
	}
	return m, true
}

// LibP2P returns the key as a libp2p private key, for libp2p.Identity. A
// hotkey is the node's libp2p identity.
func (k *Key) LibP2P() crypto.PrivKey {
	sk, err := crypto.UnmarshalEd25519PrivateKey(k.priv)
	if err != nil {
		// A 64-byte ed25519 private key always unmarshals.
		panic(fmt.Sprintf("wallet: libp2p rejected an ed25519 key: %v", err))
	}
	return sk
}

// PeerID returns the libp2p peer ID of the key: a hotkey's address.
func (k *Key) PeerID() peer.ID {
	id, err := HotkeyAddress(k.Public())
	if err != nil {
		panic(fmt.Sprintf("wallet: peer ID of an ed25519 key: %v", err))
	}
	return id
}

// Address returns the printed address: the peer ID for a hotkey, the
// checksummed "tao1..." string for a coldkey.
func (k *Key) Address() string {
	if k.kind == Hotkey {
		return k.PeerID().String()
	}
	return ColdkeyAddress(k.Public()).String()
}

// String prints the kind and address, never the secret.
func (k *Key) String() string { return string(k.kind) + " " + k.Address() }

// GoString keeps %#v from printing the private key.
func (k *Key) GoString() string { return "wallet.Key{" + k.String() + "}" }

// LogValue makes slog print the address only.
func (k *Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", string(k.kind)), slog.String("address", k.Address()))
}
