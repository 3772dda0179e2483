package wallet

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// password returns a source that answers pw for every key.
func password(pw string) PasswordSource {
	return func(PasswordRequest) ([]byte, error) { return []byte(pw), nil }
}

func newStore(t *testing.T) *Store {
	t.Helper()
	return &Store{Home: t.TempDir(), KDF: testScrypt, Password: password("correct horse")}
}

func mustCreate(t *testing.T, s *Store, wallet string) (cold, hot *Key) {
	t.Helper()
	cold, hot, err := s.Create(wallet, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cold, hot
}

// snapshot records a file's bytes and mtime, to prove an operation left it
// alone.
type snapshot struct {
	data  []byte
	mtime time.Time
}

func snap(t *testing.T, path string) snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{b, st.ModTime()}
}

func (s snapshot) unchanged(t *testing.T, path string) {
	t.Helper()
	now := snap(t, path)
	if !bytes.Equal(now.data, s.data) || !now.mtime.Equal(s.mtime) {
		t.Fatalf("%s was modified", path)
	}
}

func TestCreateAndUnlock(t *testing.T) {
	s := newStore(t)
	cold, hot := mustCreate(t, s, "default")
	if _, ok := cold.Mnemonic(); !ok {
		t.Error("new coldkey has no mnemonic")
	}
	dir := filepath.Join(s.Home, "wallets", "default")
	for path, mode := range map[string]fs.FileMode{
		dir:                                      0o700 | fs.ModeDir,
		filepath.Join(dir, "hotkeys"):            0o700 | fs.ModeDir,
		filepath.Join(dir, "coldkey"):            0o600,
		filepath.Join(dir, "coldkeypub.txt"):     0o600,
		filepath.Join(dir, "hotkeys", "default"): 0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", path, st.Mode(), mode)
		}
	}
	c2, err := s.Coldkey("default")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s.Hotkey("default", "default")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Address() != cold.Address() || h2.PeerID() != hot.PeerID() {
		t.Fatal("unlocked keys differ from the created ones")
	}
	pub, err := os.ReadFile(filepath.Join(dir, "coldkeypub.txt"))
	if err != nil || strings.TrimSpace(string(pub)) != cold.Address() {
		t.Fatalf("coldkeypub.txt = %q, %v; want %s", pub, err, cold.Address())
	}
	// No stray temporary files.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestNewHotkeyLeavesColdkeyAlone(t *testing.T) {
	s := newStore(t)
	mustCreate(t, s, "w")
	dir := filepath.Join(s.Home, "wallets", "w")
	coldPath := filepath.Join(dir, "coldkey")
	pubPath := filepath.Join(dir, "coldkeypub.txt")
	cold, pub := snap(t, coldPath), snap(t, pubPath)
	// Make the coldkey unreadable too: NewHotkey must not even open it.
	if err := os.Chmod(coldPath, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // so an accidental rewrite shows in mtime
	hk, err := s.NewHotkey("w", "miner1", KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(coldPath, 0o600); err != nil {
		t.Fatal(err)
	}
	cold.unchanged(t, coldPath)
	pub.unchanged(t, pubPath)
	got, err := s.Hotkey("w", "miner1")
	if err != nil || got.PeerID() != hk.PeerID() {
		t.Fatalf("unlock new hotkey: %v", err)
	}
	if _, err := s.NewHotkey("nowallet", "h", KeyOptions{}); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("NewHotkey in a missing wallet = %v, want ErrNoWallet", err)
	}
}

func TestOverwriteProtection(t *testing.T) {
	s := newStore(t)
	cold, _ := mustCreate(t, s, "w")
	dir := filepath.Join(s.Home, "wallets", "w")
	paths := []string{filepath.Join(dir, "coldkey"), filepath.Join(dir, "coldkeypub.txt"), filepath.Join(dir, "hotkeys", "default")}
	var snaps []snapshot
	for _, p := range paths {
		snaps = append(snaps, snap(t, p))
	}
	otherCold := mustKey(t, Coldkey)
	m, _ := otherCold.Mnemonic()
	attempts := map[string]func() error{
		"create":      func() error { _, _, err := s.Create("w", CreateOptions{}); return err },
		"new-hotkey":  func() error { _, err := s.NewHotkey("w", "default", KeyOptions{}); return err },
		"new-coldkey": func() error { _, err := s.NewColdkey("w", KeyOptions{}); return err },
		"regen":       func() error { _, err := s.Regen("w", Coldkey, "", m, KeyOptions{}); return err },
		"regen-pub": func() error {
			return s.RegenColdkeyPub("w", ColdkeyAddress(otherCold.Public()), false)
		},
	}
	for name, op := range attempts {
		err := op()
		if !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), "--overwrite") {
			t.Errorf("%s over an existing key = %v, want ErrKeyExists naming --overwrite", name, err)
		}
	}
	for i, p := range paths {
		snaps[i].unchanged(t, p)
	}
	// With Overwrite the coldkey is replaced, and coldkeypub.txt follows.
	k, err := s.Regen("w", Coldkey, "", m, KeyOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.ColdkeyPub("w"); err != nil || a.String() != k.Address() || k.Address() == cold.Address() {
		t.Fatalf("after overwrite: coldkeypub %v, %v; want %s", a, err, k.Address())
	}
}

func TestRegenReproducesKeys(t *testing.T) {
	s := newStore(t)
	cold, hot := mustCreate(t, s, "w")
	cm, _ := cold.Mnemonic()
	hm, _ := hot.Mnemonic()

	// Restore both on a fresh machine.
	s2 := newStore(t)
	c2, err := s2.Regen("w", Coldkey, "", cm, KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s2.Regen("w", Hotkey, "default", hm, KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c2.Public(), cold.Public()) || !bytes.Equal(h2.Public(), hot.Public()) {
		t.Fatal("regen produced different public keys")
	}
	if u, err := s2.Coldkey("w"); err != nil || u.Address() != cold.Address() {
		t.Fatalf("unlock regenerated coldkey: %v", err)
	}
	// Restoring a coldkey into a watch-only wallet with the same address
	// needs no --overwrite.
	s3 := newStore(t)
	if err := s3.RegenColdkeyPub("w", ColdkeyAddress(cold.Public()), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.Regen("w", Coldkey, "", cm, KeyOptions{}); err != nil {
		t.Fatalf("regen into watch-only wallet: %v", err)
	}
	if _, err := s3.Regen("w", Coldkey, "", cm, KeyOptions{NoPassword: true, Overwrite: true}); err == nil {
		t.Fatal("unencrypted coldkey accepted")
	}
}

func TestWrongPasswordAndCorruptFileUntouched(t *testing.T) {
	s := newStore(t)
	mustCreate(t, s, "w")
	coldPath := filepath.Join(s.Home, "wallets", "w", "coldkey")
	hotPath := filepath.Join(s.Home, "wallets", "w", "hotkeys", "default")
	before := snap(t, coldPath)

	bad := *s
	bad.Password = password("wrong")
	_, err := bad.Coldkey("w")
	if !errors.Is(err, ErrWrongPassword) || !strings.Contains(err.Error(), "TAO_PASSWORD_W_COLDKEY") || !strings.Contains(err.Error(), "--password-file") {
		t.Fatalf("wrong password: %v, want ErrWrongPassword naming the fix", err)
	}
	before.unchanged(t, coldPath)

	none := *s
	none.Password = nil
	if _, err := none.Hotkey("w", "default"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("no password source: %v, want ErrNoPassword", err)
	}

	full, _ := os.ReadFile(hotPath)
	for name, content := range map[string][]byte{
		"truncated": full[:len(full)/3],
		"empty":     nil,
		"garbage":   []byte("\x00\x01not a key file"),
		"huge":      bytes.Repeat([]byte("{"), MaxKeyfileSize+10),
	} {
		if err := os.WriteFile(hotPath, content, 0o600); err != nil {
			t.Fatal(err)
		}
		b := snap(t, hotPath)
		_, err := s.Hotkey("w", "default")
		if !errors.Is(err, ErrBadKeyfile) || !strings.Contains(err.Error(), hotPath) {
			t.Errorf("%s hotkey: %v, want ErrBadKeyfile naming the file", name, err)
		}
		b.unchanged(t, hotPath)
		info, err := s.Show("w")
		if err != nil || len(info.Hotkeys) != 1 || info.Hotkeys[0].Error == "" {
			t.Errorf("%s hotkey: Show = %+v, %v; want the error reported per hotkey", name, info, err)
		}
	}
}

func TestShowWatchOnlyListExport(t *testing.T) {
	s := newStore(t)
	cold, hot := mustCreate(t, s, "w")
	if _, err := s.NewHotkey("w", "plain", KeyOptions{NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	// A watch-only copy: coldkeypub.txt alone.
	if err := s.RegenColdkeyPub("watch", ColdkeyAddress(cold.Public()), false); err != nil {
		t.Fatal(err)
	}
	noPw := *s
	noPw.Password = nil
	info, err := noPw.Show("watch")
	if err != nil || !info.WatchOnly || info.Coldkey != cold.Address() || len(info.Hotkeys) != 0 {
		t.Fatalf("Show(watch) = %+v, %v", info, err)
	}
	// An unencrypted hotkey unlocks with no password source at all.
	if k, err := noPw.Hotkey("w", "plain"); err != nil || k.Kind() != Hotkey {
		t.Fatalf("unlock plain hotkey: %v", err)
	}
	list, err := noPw.List()
	if err != nil || len(list) != 2 || list[0].Name != "w" || list[1].Name != "watch" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	w := list[0]
	if w.WatchOnly || w.Coldkey != cold.Address() || len(w.Hotkeys) != 2 {
		t.Fatalf("List()[0] = %+v", w)
	}
	if h := w.Hotkeys[0]; h.Name != "default" || h.Address != hot.Address() || !h.Encrypted {
		t.Errorf("hotkey default = %+v", h)
	}
	if h := w.Hotkeys[1]; h.Name != "plain" || h.Encrypted {
		t.Errorf("hotkey plain = %+v", h)
	}
	p, err := noPw.ExportPub("watch", Coldkey, "")
	if err != nil || p.Address != cold.Address() {
		t.Fatalf("ExportPub(coldkey) = %+v, %v", p, err)
	}
	p, err = noPw.ExportPub("w", Hotkey, "default")
	if err != nil || p.Address != hot.PeerID().String() {
		t.Fatalf("ExportPub(hotkey) = %+v, %v", p, err)
	}
	if _, err := noPw.Show("nope"); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("Show(missing) = %v", err)
	}
	empty := &Store{Home: t.TempDir()}
	if l, err := empty.List(); err != nil || len(l) != 0 {
		t.Fatalf("List of empty home = %v, %v", l, err)
	}
}

func TestInvalidNames(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"", "..", "../x", "a/b", ".hidden", strings.Repeat("a", 65), "sp ace"} {
		if _, _, err := s.Create(name, CreateOptions{}); err == nil {
			t.Errorf("Create(%q) succeeded", name)
		}
		if _, _, err := s.Create("ok", CreateOptions{Hotkey: name, Overwrite: true}); err == nil && name != "" {
			t.Errorf("Create with hotkey %q succeeded", name)
		}
	}
}
