package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/tao/wallet"
)

// runWallet runs the CLI with stdin as standard input and returns the exit
// status and what it printed. It swaps os.Stdin/Stdout/Stderr, so tests
// using it must not be parallel.
func runWallet(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	open := func(name, content string) *os.File {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	in, out, errf := open("in", stdin), open("out", ""), open("err", "")
	oldIn, oldOut, oldErr := os.Stdin, os.Stdout, os.Stderr
	os.Stdin, os.Stdout, os.Stderr = in, out, errf
	code = run(args)
	os.Stdin, os.Stdout, os.Stderr = oldIn, oldOut, oldErr
	for _, f := range []*os.File{in, out, errf} {
		f.Close()
	}
	o, _ := os.ReadFile(filepath.Join(dir, "out"))
	e, _ := os.ReadFile(filepath.Join(dir, "err"))
	return code, string(o), string(e)
}

// mnemonicAfter returns the line after the given label in create output.
func mnemonicAfter(t *testing.T, out, label string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if l == label && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	t.Fatalf("no %q in output:\n%s", label, out)
	return ""
}

func TestWalletCLI(t *testing.T) {
	t.Setenv("TAO_PASSWORD", "")
	home := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--home", home, "--password-file", pw}
	cli := func(stdin string, args ...string) (int, string, string) {
		return runWallet(t, stdin, append(append([]string{"wallet"}, args...), flags...)...)
	}

	code, out, errOut := cli("", "create")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	coldWords := mnemonicAfter(t, out, "coldkey mnemonic:")
	hotWords := mnemonicAfter(t, out, `hotkey "default" mnemonic:`)
	if len(strings.Fields(coldWords)) != 12 || !strings.Contains(out, "Write down") {
		t.Fatalf("create output lacks the mnemonic warning:\n%s", out)
	}
	coldPath := filepath.Join(home, "wallets", "default", "coldkey")
	coldBefore, _ := os.ReadFile(coldPath)

	if code, _, errOut := cli("", "create"); code != 1 || !strings.Contains(errOut, "--overwrite") {
		t.Fatalf("second create: exit %d, stderr %q; want 1 naming --overwrite", code, errOut)
	}

	code, out, errOut = cli("", "export-pub", "--json")
	var cold wallet.PubInfo
	if code != 0 || json.Unmarshal([]byte(out), &cold) != nil || !strings.HasPrefix(cold.Address, "tao1") {
		t.Fatalf("export-pub --json: exit %d %q %s", code, out, errOut)
	}
	if _, err := wallet.ParseAddress(cold.Address); err != nil {
		t.Fatal(err)
	}

	if code, out, errOut := cli("", "new-hotkey", "--hotkey", "gpu1", "--no-password", "--words", "24"); code != 0 || !strings.Contains(out, "12D3KooW") {
		t.Fatalf("new-hotkey: exit %d %s %s", code, out, errOut)
	}
	if after, _ := os.ReadFile(coldPath); string(after) != string(coldBefore) {
		t.Fatal("new-hotkey changed the coldkey file")
	}

	code, out, _ = cli("", "show")
	if code != 0 || !strings.Contains(out, cold.Address) || !strings.Contains(out, "gpu1") || !strings.Contains(out, "(unencrypted)") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	code, out, _ = cli("", "list", "--json")
	var list []wallet.Info
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || len(list[0].Hotkeys) != 2 {
		t.Fatalf("list --json: exit %d\n%s", code, out)
	}

	// Restore on a "second machine": coldkey from a file, hotkey from
	// standard input followed by its password typed twice at the prompt.
	home2 := t.TempDir()
	words := filepath.Join(t.TempDir(), "words")
	os.WriteFile(words, []byte(coldWords+"\n"), 0o600)
	code, out, errOut = runWallet(t, "", "wallet", "regen", "coldkey", "--home", home2, "--password-file", pw, "--mnemonic-file", words)
	if code != 0 || !strings.Contains(out, cold.Address) {
		t.Fatalf("regen coldkey: exit %d %q %s; want %s", code, out, errOut, cold.Address)
	}
	code, out, errOut = runWallet(t, hotWords+"\nhot pw\nhot pw\n", "wallet", "regen", "hotkey", "--home", home2)
	if code != 0 || !strings.Contains(out, list[0].Hotkeys[0].Address) {
		t.Fatalf("regen hotkey from stdin: exit %d %q %s; want %s", code, out, errOut, list[0].Hotkeys[0].Address)
	}

	// Watch-only: the coldkey address alone, found through TAO_HOME.
	t.Setenv("TAO_HOME", home2)
	if code, _, errOut := runWallet(t, "", "wallet", "regen", "coldkeypub", cold.Address, "--wallet", "watch"); code != 0 {
		t.Fatalf("regen coldkeypub: exit %d %s", code, errOut)
	}
	code, out, _ = runWallet(t, "", "wallet", "show", "--wallet", "watch")
	if code != 0 || !strings.Contains(out, cold.Address+"  (watch-only)") {
		t.Fatalf("show watch-only via TAO_HOME: exit %d\n%s", code, out)
	}
}

func TestWalletCLIUsageErrors(t *testing.T) {
	home := t.TempDir()
	bad := [][]string{
		{"wallet", "create", "--words", "13"},
		{"wallet", "create", "--wallet", "../evil"},
		{"wallet", "regen"},
		{"wallet", "regen", "warmkey"},
		{"wallet", "regen", "coldkey", "--no-password"},
		{"wallet", "regen", "coldkeypub", "tao1notanaddress"},
		{"wallet", "export-pub", "bogus"},
		{"wallet", "list", "extra"},
		{"wallet", "show", "--no-such-flag"},
	}
	for _, args := range bad {
		code, _, errOut := runWallet(t, "", append(args, "--home", home)...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errOut)
		}
	}
	// A missing wallet is not a usage error, and the message names the fix.
	code, _, errOut := runWallet(t, "", "wallet", "show", "--home", home)
	if code != 1 || !strings.Contains(errOut, "tao wallet create") {
		t.Errorf("show of a missing wallet: exit %d, %q", code, errOut)
	}
}
