package wallet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestSLIP10MasterVector(t *testing.T) {
	// SLIP-0010, test vector 1 for ed25519, chain m.
	seed, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	master := slip10Master(seed)
	if got, want := hex.EncodeToString(master[:]), "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7"; got != want {
		t.Fatalf("master key = %s, want %s", got, want)
	}
	k, err := NewKey(Coldkey, master[:])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(k.Public()), "a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed"; got != want {
		t.Fatalf("master public key = %s, want %s", got, want)
	}
}

const abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

func TestKeyFromMnemonicGolden(t *testing.T) {
	// The whole derivation: BIP-39 seed with empty passphrase, then the
	// SLIP-10 ed25519 master key. Other SLIP-10 wallets print the same
	// master public key for these words; changing it would make every
	// backup restore a different key.
	k, err := KeyFromMnemonic(Coldkey, abandon)
	if err != nil {
		t.Fatal(err)
	}
	const want = "e96b1c6b8769fdb0b34fbecfdf85c33b053cecad9517e1ab88cba614335775c1"
	if got := hex.EncodeToString(k.Public()); got != want {
		t.Errorf("public key of %q = %s, want %s", abandon, got, want)
	}
}

func TestMnemonicRoundTrip(t *testing.T) {
	for _, words := range []int{12, 24} {
		k, err := GenerateKey(Hotkey, nil, words)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := k.Mnemonic()
		if !ok || len(strings.Fields(m)) != words {
			t.Fatalf("words=%d: Mnemonic() = %q, %v", words, m, ok)
		}
		// Case and whitespace do not matter.
		messy := "  " + strings.ToUpper(strings.ReplaceAll(m, " ", " \t\n ")) + "\n"
		again, err := KeyFromMnemonic(Hotkey, messy)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Public(), k.Public()) {
			t.Fatalf("words=%d: regenerated key differs", words)
		}
	}
}

func TestBadMnemonic(t *testing.T) {
	tests := map[string]string{
		"checksum":     strings.Replace(abandon, "about", "abandon", 1),
		"words=11":     strings.TrimSuffix(abandon, " about"),
		"words=15":     abandon + " abandon abandon abandon",
		"unknown-word": strings.Replace(abandon, "about", "aboutt", 1),
		"huge":         strings.Repeat("abandon ", 1000),
		"empty":        "",
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := KeyFromMnemonic(Coldkey, m); !errors.Is(err, ErrBadMnemonic) {
				t.Fatalf("KeyFromMnemonic = %v, want ErrBadMnemonic", err)
			}
		})
	}
	if _, err := NewMnemonic(nil, 18); err == nil {
		t.Error("NewMnemonic(18 words) succeeded")
	}
}
