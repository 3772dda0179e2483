package wallet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File and directory names inside a wallet, as in Bittensor.
const (
	coldkeyFile    = "coldkey"
	coldkeyPubFile = "coldkeypub.txt"
	hotkeysDir     = "hotkeys"
	walletsDir     = "wallets"
)

var (
	// ErrKeyExists reports a key file that an operation would replace. The
	// fix is the explicit overwrite option (the CLI's --overwrite).
	ErrKeyExists = errors.New("wallet: key already exists; pass --overwrite to replace it (the old key is lost unless you hold its mnemonic)")
	// ErrNoWallet reports a wallet or key that does not exist.
	ErrNoWallet = errors.New("wallet: not found")
)

// Store reads and writes the wallets under one tao home. The zero value
// uses DefaultHome, DefaultKDF, crypto/rand and no password source.
type Store struct {
	// Home is the tao home; wallets live in Home/wallets. Empty means
	// DefaultHome().
	Home string
	// KDF protects newly written keys. Zero means DefaultKDF().
	KDF KDFParams
	// Rand supplies mnemonic entropy, salts and nonces. Nil means crypto/rand.
	Rand io.Reader
	// Password supplies passwords to encrypt and decrypt keys. Nil means no
	// password is available: only NoPassword hotkeys and public data work.
	Password PasswordSource
}

// DefaultHome is $TAO_HOME, or ~/.tao.
func DefaultHome() (string, error) {
	if h := os.Getenv("TAO_HOME"); h != "" {
		return h, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("wallet: find the home directory (set TAO_HOME or pass --home): %w", err)
	}
	return filepath.Join(home, ".tao"), nil
}

func (s *Store) home() (string, error) {
	if s.Home != "" {
		return s.Home, nil
	}
	return DefaultHome()
}

// WalletDir returns the directory of the named wallet.
func (s *Store) WalletDir(wallet string) (string, error) {
	if err := ValidateName("wallet", wallet); err != nil {
		return "", err
	}
	home, err := s.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, walletsDir, wallet), nil
}

// keyPath returns the file of a coldkey (hotkey empty) or hotkey.
func (s *Store) keyPath(wallet string, kind Kind, hotkey string) (string, error) {
	dir, err := s.WalletDir(wallet)
	if err != nil {
		return "", err
	}
	switch kind {
	case Coldkey:
		return filepath.Join(dir, coldkeyFile), nil
	case Hotkey:
		if err := ValidateName("hotkey", hotkey); err != nil {
			return "", err
		}
		return filepath.Join(dir, hotkeysDir, hotkey), nil
	}
	return "", fmt.Errorf("wallet: unknown key kind %q (want coldkey or hotkey)", kind)
}

// ValidateName checks a wallet or hotkey name: 1 to 64 ASCII letters,
// digits, '.', '_' or '-', not starting with '.', so a name is always one
// plain path element.
func ValidateName(what, name string) error {
	ok := len(name) >= 1 && len(name) <= 64 && name[0] != '.'
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("wallet: invalid %s name %q: use 1-64 letters, digits, '.', '_' or '-', not starting with '.'", what, clip(name))
	}
	return nil
}

// readFile reads at most limit bytes; a longer file is an error, so a
// stray huge file is never loaded whole.
func readFile(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrBadKeyfile, path, limit)
	}
	return b, nil
}

// writeFileAtomic writes data to path with mode 0600, creating parent
// directories 0700. The data goes to a temporary file in the same directory
// that is fsynced and then renamed over path (overwrite) or hard-linked to
// it (no overwrite, which fails atomically if path exists). Readers see the
// old file or the new one, never a mix; on error path is untouched.
func writeFileAtomic(path string, data []byte, overwrite bool) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wallet: create %s: %w", dir, err)
	}
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w", path, ErrKeyExists)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(tmpName) // after a rename this is a no-op error
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("wallet: write %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("wallet: sync %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("wallet: close %s: %w", tmpName, err)
	}
	tmp = nil
	if overwrite {
		err = os.Rename(tmpName, path)
	} else if err = os.Link(tmpName, path); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrKeyExists)
	} else if err != nil {
		// No hard links on this file system: rename, relying on the
		// existence check above.
		err = os.Rename(tmpName, path)
	}
	if err != nil {
		return fmt.Errorf("wallet: install %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename durable. Some systems cannot fsync a directory;
// that is not worth failing the write for.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}
