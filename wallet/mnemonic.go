package wallet

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tyler-smith/go-bip39"
)

// ErrBadMnemonic reports words that are not a valid 12- or 24-word BIP-39
// English mnemonic.
var ErrBadMnemonic = errors.New("wallet: invalid mnemonic")

// NewMnemonic draws entropy from rand (nil means crypto/rand) and returns a
// BIP-39 English mnemonic of 12 or 24 words (0 means 12).
func NewMnemonic(r io.Reader, words int) (string, error) {
	size, err := entropySize(words)
	if err != nil {
		return "", err
	}
	if r == nil {
		r = rand.Reader
	}
	entropy := make([]byte, size)
	if _, err := io.ReadFull(r, entropy); err != nil {
		return "", fmt.Errorf("wallet: draw mnemonic entropy: %w", err)
	}
	return mnemonicFromEntropy(entropy)
}

func entropySize(words int) (int, error) {
	switch words {
	case 0, 12:
		return 16, nil
	case 24:
		return 32, nil
	}
	return 0, fmt.Errorf("wallet: a mnemonic has 12 or 24 words, not %d", words)
}

func mnemonicFromEntropy(entropy []byte) (string, error) {
	if len(entropy) != 16 && len(entropy) != 32 {
		return "", fmt.Errorf("wallet: mnemonic entropy has %d bytes, want 16 or 32", len(entropy))
	}
	return bip39.NewMnemonic(entropy)
}

// NormalizeMnemonic lower-cases the words and joins them with single
// spaces, the form BIP-39 seeds are computed from.
func NormalizeMnemonic(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// maxMnemonicLen bounds the input before any work: 24 words of at most 8
// letters, with generous room for stray whitespace.
const maxMnemonicLen = 1024

// seedFromMnemonic validates the mnemonic (word count, word list,
// checksum) and returns the ed25519 seed and the entropy.
func seedFromMnemonic(m string) (seed, entropy []byte, err error) {
	if len(m) > maxMnemonicLen {
		return nil, nil, fmt.Errorf("%w: %d bytes is too long for 24 words", ErrBadMnemonic, len(m))
	}
	norm := NormalizeMnemonic(m)
	n := len(strings.Fields(norm))
	if n != 12 && n != 24 {
		return nil, nil, fmt.Errorf("%w: %d words, want 12 or 24", ErrBadMnemonic, n)
	}
	for i, w := range strings.Fields(norm) {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return nil, nil, fmt.Errorf("%w: word %d (%q) is not in the BIP-39 English list", ErrBadMnemonic, i+1, clip(w))
		}
	}
	entropy, err = bip39.EntropyFromMnemonic(norm)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: checksum does not match (a word is wrong or out of order)", ErrBadMnemonic)
	}
	master := slip10Master(bip39.NewSeed(norm, ""))
	return master[:], entropy, nil
}

// slip10Master returns the SLIP-10 ed25519 master private key of a BIP-39
// seed (SLIP-0010, "Master key generation", curve ed25519). The chain code
// (the other half of I) is not needed: tao derives no child keys.
func slip10Master(seed []byte) [SeedSize]byte {
	mac := hmac.New(sha512.New, []byte("ed25519 seed"))
	mac.Write(seed)
	var k [SeedSize]byte
	copy(k[:], mac.Sum(nil)[:SeedSize])
	return k
}
