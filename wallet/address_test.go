package wallet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestAddressRoundTrip(t *testing.T) {
	for i := range 50 {
		pub, _, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		s := ColdkeyAddress(pub).String()
		if len(s) != AddressLen || !strings.HasPrefix(s, AddressPrefix) {
			t.Fatalf("key %d: address %q: len %d, want %d with prefix %q", i, s, len(s), AddressLen, AddressPrefix)
		}
		for _, in := range []string{s, strings.ToUpper(s)} {
			a, err := ParseAddress(in)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", in, err)
			}
			if !bytes.Equal(a.PublicKey(), pub) {
				t.Fatalf("ParseAddress(%q) = %x, want %x", in, a.PublicKey(), pub)
			}
		}
	}
}

func TestAddressGolden(t *testing.T) {
	// The all-zero key, checked by hand: base32(32 zero bytes ||
	// SHA-256("tao1" || 32 zero bytes)[:4]). Changing it breaks every
	// printed coldkey address.
	const want = "tao1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaakdsdzte"
	if got := (Address{}).String(); got != want {
		t.Errorf("zero address = %q, want %q", got, want)
	}
}

func TestParseAddressBadChecksum(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	s := ColdkeyAddress(pub).String()
	// Change one character in the key part: the checksum must catch it.
	i := len(AddressPrefix) + 10
	c := byte('a')
	if s[i] == 'a' {
		c = 'b'
	}
	bad := s[:i] + string(c) + s[i+1:]
	_, err := ParseAddress(bad)
	if !errors.Is(err, ErrBadChecksum) {
		t.Fatalf("ParseAddress(typo) = %v, want ErrBadChecksum", err)
	}
	if !strings.Contains(err.Error(), "typo") {
		t.Errorf("error %q does not tell the user what to do", err)
	}
}

func TestParseAddressMalformed(t *testing.T) {
	good := ColdkeyAddress(make([]byte, 32)).String()
	// The last character carries two padding bits that must be zero:
	// 'a' encodes 00000, 'b' 00001.
	last := good[len(good)-1]
	nonCanon := good[:len(good)-1] + string(last+1)
	tests := map[string]string{
		"empty":         "",
		"short":         good[:len(good)-1],
		"long":          good + "a",
		"prefix":        "tao2" + good[4:],
		"digit1":        good[:10] + "1" + good[11:],
		"space":         " " + good[1:],
		"padding-bits":  nonCanon,
		"other-charset": good[:10] + "=" + good[11:],
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseAddress(in)
			if err == nil {
				t.Fatalf("ParseAddress(%q) succeeded", in)
			}
			if !errors.Is(err, ErrBadAddress) && !errors.Is(err, ErrBadChecksum) {
				t.Fatalf("ParseAddress(%q) = %v, want ErrBadAddress", in, err)
			}
		})
	}
}

func TestHotkeyAddressIsPeerID(t *testing.T) {
	k, err := GenerateKey(Hotkey, nil, 12)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(k.LibP2P())
	if err != nil {
		t.Fatal(err)
	}
	if id != k.PeerID() {
		t.Fatalf("PeerID() = %s, libp2p says %s", k.PeerID(), id)
	}
	if got := k.Address(); got != id.String() || !strings.HasPrefix(got, "12D3KooW") {
		t.Fatalf("hotkey Address() = %q, want peer ID %q", got, id)
	}
	pub, err := ParseHotkeyAddress(k.Address())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pub, k.Public()) {
		t.Fatalf("ParseHotkeyAddress = %x, want %x", pub, k.Public())
	}
	if _, err := ParseHotkeyAddress("not-a-peer-id"); err == nil {
		t.Fatal("ParseHotkeyAddress accepted garbage")
	}
	// The secret never appears when a key is printed.
	seedHex := hex.EncodeToString(k.Seed())
	for _, s := range []string{k.String(), k.GoString()} {
		if strings.Contains(s, seedHex) || !strings.Contains(s, k.Address()) {
			t.Errorf("printed key %q", s)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	f.Add(ColdkeyAddress(make([]byte, 32)).String())
	f.Add("tao1")
	f.Add(strings.Repeat("a", AddressLen))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		if got := a.String(); got != strings.ToLower(s) {
			t.Fatalf("ParseAddress(%q).String() = %q", s, got)
		}
	})
}
