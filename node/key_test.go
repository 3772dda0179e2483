package node

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func TestNodeKeyCreatedOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "node_key")
	k1, err := loadOrCreateNodeKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadOrCreateNodeKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equals(k2) {
		t.Fatal("second load returned a different key")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("node key mode %v, want 0600", st.Mode().Perm())
	}
}

func TestCorruptNodeKeyIsAnErrorAndUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node_key")
	junk := []byte("not a key")
	os.WriteFile(path, junk, 0o600)
	if _, err := loadOrCreateNodeKey(path); err == nil {
		t.Fatal("corrupt key accepted")
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, junk) {
		t.Fatal("corrupt key file was modified")
	}
}

func FuzzDecodeNodeKey(f *testing.F) {
	k, _, _ := crypto.GenerateEd25519Key(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	good, _ := crypto.MarshalPrivateKey(k)
	f.Add(good)
	f.Add([]byte{})
	f.Add(good[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := decodeNodeKey("fuzz", b)
		if err != nil {
			return
		}
		again, err := crypto.MarshalPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeNodeKey("fuzz", again); err != nil {
			t.Fatalf("re-encoded key rejected: %v", err)
		}
	})
}
