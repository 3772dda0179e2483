package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// DefaultHotkey names the hotkey Create makes and the CLI uses by default.
const DefaultHotkey = "default"

// KeyOptions controls how a new or regenerated key is written.
type KeyOptions struct {
	// Words is the mnemonic length of a new key: 12 or 24; 0 means 12.
	Words int
	// Overwrite allows replacing an existing key file. Without it the
	// operation fails with ErrKeyExists and writes nothing.
	Overwrite bool
	// NoPassword stores a hotkey unencrypted (marked so in the file), for
	// unattended miners. It is refused for coldkeys.
	NoPassword bool
}

// CreateOptions controls Create.
type CreateOptions struct {
	// Hotkey names the first hotkey; empty means DefaultHotkey.
	Hotkey string
	// Words, Overwrite: as in KeyOptions, for both keys.
	Words     int
	Overwrite bool
	// NoHotkeyPassword stores the hotkey unencrypted; the coldkey is always
	// encrypted.
	NoHotkeyPassword bool
}

// Create makes a wallet: a coldkey, its coldkeypub.txt, and a first hotkey,
// each from its own fresh mnemonic (read them from the keys' Mnemonic
// methods and show them once). Passwords are asked for both keys before
// anything is written, and nothing is written if any target exists and
// opts.Overwrite is false.
func (s *Store) Create(wallet string, opts CreateOptions) (cold, hot *Key, err error) {
	hotName := opts.Hotkey
	if hotName == "" {
		hotName = DefaultHotkey
	}
	coldPath, err := s.keyPath(wallet, Coldkey, "")
	if err != nil {
		return nil, nil, err
	}
	hotPath, err := s.keyPath(wallet, Hotkey, hotName)
	if err != nil {
		return nil, nil, err
	}
	pubPath := filepath.Join(filepath.Dir(coldPath), coldkeyPubFile)
	if !opts.Overwrite {
		for _, p := range []string{coldPath, pubPath, hotPath} {
			if ok, err := exists(p); err != nil || ok {
				return nil, nil, existsErr(p, err)
			}
		}
	}
	if cold, err = GenerateKey(Coldkey, s.Rand, opts.Words); err != nil {
		return nil, nil, err
	}
	if hot, err = GenerateKey(Hotkey, s.Rand, opts.Words); err != nil {
		return nil, nil, err
	}
	coldFile, err := s.seal(cold, wallet, "", false)
	if err != nil {
		return nil, nil, err
	}
	hotFile, err := s.seal(hot, wallet, hotName, opts.NoHotkeyPassword)
	if err != nil {
		return nil, nil, err
	}
	if err := s.writeColdkey(coldPath, coldFile, opts.Overwrite); err != nil {
		return nil, nil, err
	}
	if err := writeKeyfile(hotPath, hotFile, opts.Overwrite); err != nil {
		return nil, nil, err
	}
	return cold, hot, nil
}

// NewColdkey makes a fresh coldkey (and coldkeypub.txt) in wallet.
func (s *Store) NewColdkey(wallet string, opts KeyOptions) (*Key, error) {
	k, err := GenerateKey(Coldkey, s.Rand, opts.Words)
	if err != nil {
		return nil, err
	}
	return k, s.install(wallet, "", k, opts)
}

// NewHotkey makes a fresh hotkey in an existing wallet. It never reads or
// writes the coldkey: a hotkey can be made on a machine that holds only
// coldkeypub.txt, or nothing of the coldkey at all.
func (s *Store) NewHotkey(wallet, hotkey string, opts KeyOptions) (*Key, error) {
	dir, err := s.WalletDir(wallet)
	if err != nil {
		return nil, err
	}
	if ok, err := exists(dir); err != nil || !ok {
		return nil, fmt.Errorf("wallet %q (%s): %w; create it with `tao wallet create --wallet %s`", wallet, dir, ErrNoWallet, wallet)
	}
	k, err := GenerateKey(Hotkey, s.Rand, opts.Words)
	if err != nil {
		return nil, err
	}
	return k, s.install(wallet, hotkey, k, opts)
}

// Regen restores a coldkey (hotkey empty) or hotkey from its mnemonic,
// creating the wallet directory if needed. Restoring a coldkey also writes
// coldkeypub.txt, unless it already holds the same address.
func (s *Store) Regen(wallet string, kind Kind, hotkey, mnemonic string, opts KeyOptions) (*Key, error) {
	if kind == Coldkey && hotkey != "" {
		return nil, fmt.Errorf("wallet: a coldkey has no hotkey name (got %q)", hotkey)
	}
	k, err := KeyFromMnemonic(kind, mnemonic)
	if err != nil {
		return nil, err
	}
	return k, s.install(wallet, hotkey, k, opts)
}

// RegenColdkeyPub writes coldkeypub.txt alone: a watch-only wallet for a
// coldkey kept on another machine.
func (s *Store) RegenColdkeyPub(wallet string, addr Address, overwrite bool) error {
	dir, err := s.WalletDir(wallet)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, coldkeyPubFile)
	if !overwrite {
		if err := checkPub(path, addr); err != nil {
			return err
		}
	}
	return writeFileAtomic(path, []byte(addr.String()+"\n"), true)
}

// install seals k and writes it (and, for a coldkey, coldkeypub.txt) after
// checking that nothing would be replaced without opts.Overwrite.
func (s *Store) install(wallet, hotkey string, k *Key, opts KeyOptions) error {
	path, err := s.keyPath(wallet, k.kind, hotkey)
	if err != nil {
		return err
	}
	if k.kind == Coldkey && opts.NoPassword {
		return fmt.Errorf("wallet: a coldkey is always encrypted; --no-password applies to hotkeys only")
	}
	if !opts.Overwrite {
		if ok, err := exists(path); err != nil || ok {
			return existsErr(path, err)
		}
		if k.kind == Coldkey {
			if err := checkPub(filepath.Join(filepath.Dir(path), coldkeyPubFile), ColdkeyAddress(k.Public())); err != nil {
				return err
			}
		}
	}
	f, err := s.seal(k, wallet, hotkey, opts.NoPassword)
	if err != nil {
		return err
	}
	if k.kind == Coldkey {
		return s.writeColdkey(path, f, opts.Overwrite)
	}
	return writeKeyfile(path, f, opts.Overwrite)
}

// seal encrypts k with a password from s.Password, or stores it plain.
func (s *Store) seal(k *Key, wallet, hotkey string, plain bool) (*Keyfile, error) {
	if plain {
		return SealPlain(k)
	}
	req := PasswordRequest{Wallet: wallet, Kind: k.kind, Hotkey: hotkey, New: true}
	pw, err := s.password(req)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	return Seal(k, pw, s.KDF, s.Rand)
}

func (s *Store) password(req PasswordRequest) ([]byte, error) {
	if s.Password == nil {
		return nil, fmt.Errorf("%w for %s: give a password file, set %s, or enter it at the prompt", ErrNoPassword, req, PasswordEnvVar(req.Wallet, req.Kind, req.Hotkey))
	}
	pw, err := s.Password(req)
	if err != nil {
		return nil, fmt.Errorf("password for %s: %w", req, err)
	}
	return pw, nil
}

// writeColdkey writes the coldkey, then coldkeypub.txt; the second write
// replaces only a file that checkPub accepted or Overwrite allows.
func (s *Store) writeColdkey(path string, f *Keyfile, overwrite bool) error {
	if err := writeKeyfile(path, f, overwrite); err != nil {
		return err
	}
	pub := ColdkeyAddress(f.PubKey).String() + "\n"
	return writeFileAtomic(filepath.Join(filepath.Dir(path), coldkeyPubFile), []byte(pub), true)
}

func writeKeyfile(path string, f *Keyfile, overwrite bool) error {
	b, err := f.Encode()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b, overwrite)
}

// checkPub accepts a missing coldkeypub.txt or one holding addr already.
func checkPub(path string, addr Address) error {
	got, err := readColdkeyPub(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err == nil && got == addr:
		return nil
	}
	return existsErr(path, nil)
}

func existsErr(path string, err error) error {
	if err != nil {
		return fmt.Errorf("wallet: check %s: %w", path, err)
	}
	return fmt.Errorf("%s: %w", path, ErrKeyExists)
}

// readColdkeyPub parses coldkeypub.txt: one address, surrounding space
// ignored.
func readColdkeyPub(path string) (Address, error) {
	b, err := readFile(path, 256)
	if err != nil {
		return Address{}, err
	}
	a, err := ParseAddress(strings.TrimSpace(string(b)))
	if err != nil {
		return Address{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}
