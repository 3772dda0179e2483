package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Tiny KDF parameters keep tests fast; production uses DefaultKDF.
var (
	testScrypt = KDFParams{Name: KDFScrypt, N: 16, R: 1, P: 1}
	testArgon  = KDFParams{Name: KDFArgon2id, Time: 1, MemoryKiB: 64, Threads: 1}
)

func mustKey(t testing.TB, kind Kind) *Key {
	t.Helper()
	k, err := GenerateKey(kind, nil, 12)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	for name, kdf := range map[string]KDFParams{"kdf=scrypt": testScrypt, "kdf=argon2id": testArgon} {
		t.Run(name, func(t *testing.T) {
			k := mustKey(t, Coldkey)
			f, err := Seal(k, []byte("hunter2"), kdf, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.Encode()
			if err != nil {
				t.Fatal(err)
			}
			g, err := DecodeKeyfile(b)
			if err != nil {
				t.Fatalf("DecodeKeyfile: %v\n%s", err, b)
			}
			if !reflect.DeepEqual(f, g) {
				t.Fatalf("decoded %+v, want %+v", g, f)
			}
			k2, err := g.Open([]byte("hunter2"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k2.Seed(), k.Seed()) || k2.Kind() != Coldkey {
				t.Fatal("opened a different key")
			}
			m1, _ := k.Mnemonic()
			if m2, ok := k2.Mnemonic(); !ok || m2 != m1 {
				t.Fatalf("mnemonic after open = %q, %v; want %q", m2, ok, m1)
			}
			if _, err := g.Open([]byte("hunter3")); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("Open(wrong password) = %v, want ErrWrongPassword", err)
			}
		})
	}
}

func TestSealRandomSaltAndNonce(t *testing.T) {
	k := mustKey(t, Hotkey)
	a, err := Seal(k, []byte("pw"), testScrypt, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Seal(k, []byte("pw"), testScrypt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Salt, b.Salt) || bytes.Equal(a.Nonce, b.Nonce) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Fatal("two seals of one key share salt, nonce or ciphertext")
	}
	if len(a.Salt) != saltSize {
		t.Fatalf("salt has %d bytes, want %d", len(a.Salt), saltSize)
	}
}

func TestSealPlain(t *testing.T) {
	if _, err := SealPlain(mustKey(t, Coldkey)); err == nil {
		t.Fatal("SealPlain accepted a coldkey")
	}
	if _, err := Seal(mustKey(t, Hotkey), nil, testScrypt, nil); err == nil {
		t.Fatal("Seal accepted an empty password")
	}
	k := mustKey(t, Hotkey)
	f, err := SealPlain(k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.Encode()
	if !bytes.Contains(b, []byte(`"encrypted": false`)) || !bytes.Contains(b, []byte(`"cipher": "none"`)) {
		t.Fatalf("plain key file is not marked as such:\n%s", b)
	}
	g, err := DecodeKeyfile(b)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := g.Open(nil)
	if err != nil || !bytes.Equal(k2.Seed(), k.Seed()) {
		t.Fatalf("Open plain = %v", err)
	}
}

// validKeyfile returns an encoded encrypted key file as a generic map, for
// tests that edit one field.
func validKeyfile(t testing.TB) ([]byte, map[string]any) {
	t.Helper()
	f, err := Seal(mustKey(t, Coldkey), []byte("pw"), testScrypt, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return b, m
}

func edit(t *testing.T, m map[string]any, fn func(m map[string]any)) []byte {
	t.Helper()
	c := map[string]any{}
	raw, _ := json.Marshal(m)
	json.Unmarshal(raw, &c)
	fn(c)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeKeyfileRejects(t *testing.T) {
	good, m := validKeyfile(t)
	kdf := func(c map[string]any) map[string]any { return c["kdf"].(map[string]any) }
	params := func(c map[string]any) map[string]any { return kdf(c)["params"].(map[string]any) }
	tests := []struct {
		name string
		in   []byte
		want string // substring of the error
	}{
		{"empty", nil, "empty"},
		{"truncated", good[:len(good)/2], "truncated"},
		{"too-large", append(bytes.Repeat([]byte(" "), MaxKeyfileSize), good...), "at most"},
		{"trailing", append(bytes.Clone(good), "{}"...), "corrupt"},
		{"not-object", []byte(`[1,2]`), "not JSON"},
		{"no-version", edit(t, m, func(c map[string]any) { delete(c, "version") }), "no version"},
		{"version=2", edit(t, m, func(c map[string]any) { c["version"] = 2 }), "upgrade tao"},
		{"kind=warmkey", edit(t, m, func(c map[string]any) { c["kind"] = "warmkey" }), "unknown kind"},
		{"cipher=aes", edit(t, m, func(c map[string]any) { c["cipher"] = "aes-256-gcm" }), "unknown cipher"},
		{"unknown-field", edit(t, m, func(c map[string]any) { c["extra"] = 1 }), "unknown field"},
		{"kdf=pbkdf2", edit(t, m, func(c map[string]any) { kdf(c)["name"] = "pbkdf2" }), "unknown KDF"},
		{"scrypt-n-huge", edit(t, m, func(c map[string]any) { params(c)["n"] = 1 << 30 }), "scrypt N"},
		{"scrypt-n-odd", edit(t, m, func(c map[string]any) { params(c)["n"] = 1000 }), "power of two"},
		{"scrypt-r-huge", edit(t, m, func(c map[string]any) { params(c)["r"] = 1 << 20 }), "scrypt r"},
		{"argon-memory-huge", edit(t, m, func(c map[string]any) {
			kdf(c)["name"] = KDFArgon2id
			kdf(c)["params"] = map[string]any{"time": 1, "memory_kib": 1 << 31, "threads": 1}
		}), "argon2id memory"},
		{"mixed-params", edit(t, m, func(c map[string]any) { params(c)["time"] = 1 }), "argon2id parameters"},
		{"no-kdf", edit(t, m, func(c map[string]any) { delete(c, "kdf") }), "needs a kdf"},
		{"short-salt", edit(t, m, func(c map[string]any) { kdf(c)["salt"] = "00" }), "salt"},
		{"short-nonce", edit(t, m, func(c map[string]any) { c["nonce"] = "0011" }), "nonce"},
		{"upper-hex", edit(t, m, func(c map[string]any) { c["pubkey"] = strings.ToUpper(c["pubkey"].(string)) }), "lowercase hex"},
		{"short-ciphertext", edit(t, m, func(c map[string]any) { c["ciphertext"] = c["ciphertext"].(string)[:40] }), "ciphertext"},
		{"plain-coldkey", edit(t, m, func(c map[string]any) {
			c["encrypted"] = false
			c["cipher"] = "none"
			delete(c, "kdf")
			delete(c, "nonce")
			delete(c, "ciphertext")
			c["secret"] = strings.Repeat("00", 32)
		}), "only hotkeys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeKeyfile(tt.in)
			if !errors.Is(err, ErrBadKeyfile) {
				t.Fatalf("DecodeKeyfile = %v, want ErrBadKeyfile", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestOpenRejectsEditedHeader(t *testing.T) {
	_, m := validKeyfile(t)
	other := mustKey(t, Coldkey)
	tests := map[string][]byte{
		// The associated data binds kind and public key: a file edited to
		// claim another identity does not decrypt.
		"pubkey": edit(t, m, func(c map[string]any) { c["pubkey"] = hex.EncodeToString(other.Public()) }),
		"kind":   edit(t, m, func(c map[string]any) { c["kind"] = "hotkey" }),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := DecodeKeyfile(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Open([]byte("pw")); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("Open = %v, want ErrWrongPassword", err)
			}
		})
	}
}

// BenchmarkOpen measures unlocking a key with the production KDFs: the
// cost a password guess has, and the delay a user sees.
func BenchmarkOpen(b *testing.B) {
	for name, kdf := range map[string]KDFParams{"kdf=argon2id": DefaultKDF(), "kdf=scrypt": ScryptKDF()} {
		b.Run(name, func(b *testing.B) {
			f, err := Seal(mustKey(b, Hotkey), []byte("pw"), kdf, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Open([]byte("pw")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
