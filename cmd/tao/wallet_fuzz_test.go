package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/tao/wallet"
)

// FuzzReadMnemonic feeds arbitrary --mnemonic-file contents through what
// `tao wallet regen` does with them: readMnemonic, then the BIP-39 checks of
// wallet.KeyFromMnemonic. Any file gives a key or a usage error (exit 2) or
// ErrBadMnemonic, never a panic; and an accepted mnemonic is the first line
// of the file, so words after a newline never change the key.
func FuzzReadMnemonic(f *testing.F) {
	const abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	for _, s := range []string{
		abandon + "\n",
		abandon,
		"  ABANDON\tabandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about \r\n",
		abandon + "\nsecond line\n",
		strings.Replace(abandon, "about", "abandon", 1),
		strings.Repeat("zoo ", 23) + "wrong",
		"",
		"\n\n",
		strings.Repeat("abandon ", 600),
		"abandon\x00abandon",
		"ábandon 🙂",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "mnemonic")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readMnemonic(path, bufio.NewReader(strings.NewReader("")), io.Discard)
		if err != nil {
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || err.Error() == "" {
				t.Fatalf("readMnemonic error %v is not a usage error", err)
			}
			return
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		if strings.TrimSuffix(m, "\n") != string(first) {
			t.Fatalf("readMnemonic = %q, want the first line %q", m, first)
		}
		k, err := wallet.KeyFromMnemonic(wallet.Hotkey, m)
		if err != nil {
			if !errors.Is(err, wallet.ErrBadMnemonic) {
				t.Fatalf("KeyFromMnemonic error %v is not ErrBadMnemonic", err)
			}
			return
		}
		words, ok := k.Mnemonic()
		if !ok || words != wallet.NormalizeMnemonic(m) {
			t.Fatalf("key keeps mnemonic %q, %v; want %q", words, ok, wallet.NormalizeMnemonic(m))
		}
	})
}
