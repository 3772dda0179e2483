package node

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
)

// maxNodeKeySize bounds the node key file; a libp2p-marshalled ed25519
// key is 68 bytes.
const maxNodeKeySize = 256

// loadOrCreateNodeKey returns the key in path, creating it (0600) if the
// file does not exist. A peer without a wallet hotkey uses it so that its
// peer ID survives restarts.
func loadOrCreateNodeKey(path string) (crypto.PrivKey, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decodeNodeKey(path, b)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read node key: %w", err)
	}
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate node key: %w", err)
	}
	b, err = crypto.MarshalPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write node key: %w", err)
	}
	return priv, nil
}

func decodeNodeKey(path string, b []byte) (crypto.PrivKey, error) {
	if len(b) > maxNodeKeySize {
		return nil, fmt.Errorf("node key %s is %d bytes, not a key; move it away to create a new identity", path, len(b))
	}
	k, err := crypto.UnmarshalPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("node key %s is corrupt (%v); restore it from backup or move it away to create a new identity", path, err)
	}
	if k.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("node key %s is not ed25519; move it away to create a new identity", path)
	}
	return k, nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it
// and renames it into place, so a crash leaves either the old or the new
// file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// peerOfHotkey returns the peer ID of an ed25519 hotkey ("" if invalid).
func peerOfHotkey(h ledger.Hotkey) peer.ID {
	pub, err := crypto.UnmarshalEd25519PublicKey(h[:])
	if err != nil {
		return ""
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		return ""
	}
	return id
}
