package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Coldkey unlocks the coldkey of wallet with a password from s.Password.
// Failures never modify the file.
func (s *Store) Coldkey(wallet string) (*Key, error) { return s.unlock(wallet, Coldkey, "") }

// Hotkey unlocks a hotkey: the node's libp2p identity. An unencrypted
// hotkey needs no password.
func (s *Store) Hotkey(wallet, hotkey string) (*Key, error) { return s.unlock(wallet, Hotkey, hotkey) }

func (s *Store) unlock(wallet string, kind Kind, hotkey string) (*Key, error) {
	f, path, err := s.loadKeyfile(wallet, kind, hotkey)
	if err != nil {
		return nil, err
	}
	req := PasswordRequest{Wallet: wallet, Kind: kind, Hotkey: hotkey}
	var pw []byte
	if f.Encrypted {
		if pw, err = s.password(req); err != nil {
			return nil, err
		}
		defer clear(pw)
	}
	k, err := f.Open(pw)
	if errors.Is(err, ErrWrongPassword) {
		return nil, fmt.Errorf("unlock %s: %w; supply the right one with --password-file, %s or %s",
			req, err, PasswordEnvVar(wallet, kind, hotkey), PasswordEnvFallback)
	}
	if err != nil {
		return nil, fmt.Errorf("unlock %s (%s): %w", req, path, err)
	}
	return k, nil
}

// loadKeyfile reads and decodes a key file without decrypting it.
func (s *Store) loadKeyfile(wallet string, kind Kind, hotkey string) (*Keyfile, string, error) {
	path, err := s.keyPath(wallet, kind, hotkey)
	if err != nil {
		return nil, "", err
	}
	b, err := readFile(path, MaxKeyfileSize)
	if errors.Is(err, fs.ErrNotExist) {
		what := fmt.Sprintf("coldkey of wallet %q", wallet)
		fix := fmt.Sprintf("tao wallet create --wallet %s", wallet)
		if kind == Hotkey {
			what = fmt.Sprintf("hotkey %q of wallet %q", hotkey, wallet)
			fix = fmt.Sprintf("tao wallet new-hotkey --wallet %s --hotkey %s", wallet, hotkey)
		}
		return nil, path, fmt.Errorf("%s (%s): %w; create it with `%s` or restore it with `tao wallet regen`", what, path, ErrNoWallet, fix)
	}
	if err != nil {
		return nil, path, fmt.Errorf("wallet: %w", err)
	}
	f, err := DecodeKeyfile(b)
	if err != nil {
		return nil, path, fmt.Errorf("%s: %w", path, err)
	}
	if f.Kind != kind {
		return nil, path, fmt.Errorf("%s: %w: holds a %s, not a %s", path, ErrBadKeyfile, f.Kind, kind)
	}
	return f, path, nil
}

// ColdkeyPub returns the coldkey address of wallet without a password: from
// coldkeypub.txt (enough for a watch-only wallet), else from the public key
// recorded in the coldkey file.
func (s *Store) ColdkeyPub(wallet string) (Address, error) {
	dir, err := s.WalletDir(wallet)
	if err != nil {
		return Address{}, err
	}
	a, err := readColdkeyPub(filepath.Join(dir, coldkeyPubFile))
	if !errors.Is(err, fs.ErrNotExist) {
		return a, err
	}
	f, _, err := s.loadKeyfile(wallet, Coldkey, "")
	if err != nil {
		return Address{}, err
	}
	return ColdkeyAddress(f.PubKey), nil
}

// Info describes a wallet's public side. JSON field names are stable.
type Info struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
	// Coldkey is the coldkey address; empty with ColdkeyError set when
	// neither coldkeypub.txt nor the coldkey file is readable.
	Coldkey      string `json:"coldkey,omitempty"`
	ColdkeyError string `json:"coldkey_error,omitempty"`
	// WatchOnly: coldkeypub.txt is here, the coldkey file is not.
	WatchOnly bool         `json:"watch_only"`
	Hotkeys   []HotkeyInfo `json:"hotkeys"`
}

// HotkeyInfo describes one hotkey; Error is set instead of Address when its
// file does not decode.
type HotkeyInfo struct {
	Name      string `json:"name"`
	Address   string `json:"address,omitempty"`
	Encrypted bool   `json:"encrypted"`
	Error     string `json:"error,omitempty"`
}

// Show describes one wallet without any password. A damaged key file shows
// up in the Error fields instead of failing the whole call.
func (s *Store) Show(wallet string) (Info, error) {
	dir, err := s.WalletDir(wallet)
	if err != nil {
		return Info{}, err
	}
	if ok, err := exists(dir); err != nil || !ok {
		return Info{}, fmt.Errorf("wallet %q (%s): %w; see `tao wallet list`, or create it with `tao wallet create --wallet %s`", wallet, dir, ErrNoWallet, wallet)
	}
	info := Info{Name: wallet, Dir: dir, Hotkeys: []HotkeyInfo{}}
	if a, err := s.ColdkeyPub(wallet); err != nil {
		info.ColdkeyError = err.Error()
	} else {
		info.Coldkey = a.String()
	}
	if ok, _ := exists(filepath.Join(dir, coldkeyFile)); !ok && info.Coldkey != "" {
		info.WatchOnly = true
	}
	entries, err := os.ReadDir(filepath.Join(dir, hotkeysDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("wallet: list hotkeys of %q: %w", wallet, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || ValidateName("hotkey", e.Name()) != nil {
			continue // temporary files start with '.'
		}
		h := HotkeyInfo{Name: e.Name()}
		if f, _, err := s.loadKeyfile(wallet, Hotkey, e.Name()); err != nil {
			h.Error = err.Error()
		} else if id, err := HotkeyAddress(f.PubKey); err != nil {
			h.Error = err.Error()
		} else {
			h.Address, h.Encrypted = id.String(), f.Encrypted
		}
		info.Hotkeys = append(info.Hotkeys, h)
	}
	return info, nil
}

// List describes every wallet under the home, sorted by name. A home with
// no wallets gives an empty list.
func (s *Store) List() ([]Info, error) {
	home, err := s.home()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(home, walletsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list wallets: %w", err)
	}
	out := []Info{}
	for _, e := range entries {
		if !e.IsDir() || ValidateName("wallet", e.Name()) != nil {
			continue
		}
		info, err := s.Show(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// PubInfo is the public side of one key, as ExportPub returns it.
type PubInfo struct {
	Wallet  string `json:"wallet"`
	Kind    Kind   `json:"kind"`
	Hotkey  string `json:"hotkey,omitempty"`
	Address string `json:"address"`
	PubKey  string `json:"pubkey"` // hex ed25519 public key
}

// ExportPub returns the address and public key of a coldkey (hotkey empty)
// or hotkey, without a password.
func (s *Store) ExportPub(wallet string, kind Kind, hotkey string) (PubInfo, error) {
	p := PubInfo{Wallet: wallet, Kind: kind, Hotkey: hotkey}
	switch kind {
	case Coldkey:
		a, err := s.ColdkeyPub(wallet)
		if err != nil {
			return PubInfo{}, err
		}
		p.Address, p.PubKey = a.String(), hex.EncodeToString(a[:])
	case Hotkey:
		f, _, err := s.loadKeyfile(wallet, Hotkey, hotkey)
		if err != nil {
			return PubInfo{}, err
		}
		id, err := HotkeyAddress(f.PubKey)
		if err != nil {
			return PubInfo{}, err
		}
		p.Address, p.PubKey = id.String(), hex.EncodeToString(f.PubKey)
	default:
		return PubInfo{}, fmt.Errorf("wallet: unknown key kind %q (want coldkey or hotkey)", kind)
	}
	return p, nil
}
