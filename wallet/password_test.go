package wallet

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPasswordEnvVar(t *testing.T) {
	tests := []struct {
		wallet string
		kind   Kind
		hotkey string
		want   string
	}{
		{"default", Coldkey, "", "TAO_PASSWORD_DEFAULT_COLDKEY"},
		{"default", Hotkey, "default", "TAO_PASSWORD_DEFAULT_HOTKEY_DEFAULT"},
		{"my-wallet.v2", Hotkey, "miner_1", "TAO_PASSWORD_MY_WALLET_V2_HOTKEY_MINER_1"},
		{"Cold9", Coldkey, "", "TAO_PASSWORD_COLD9_COLDKEY"},
	}
	for _, tt := range tests {
		if got := PasswordEnvVar(tt.wallet, tt.kind, tt.hotkey); got != tt.want {
			t.Errorf("PasswordEnvVar(%q, %s, %q) = %q, want %q", tt.wallet, tt.kind, tt.hotkey, got, tt.want)
		}
	}
}

func TestPasswordFromEnv(t *testing.T) {
	env := map[string]string{
		"TAO_PASSWORD_W_HOTKEY_MINER_1": "per-key",
		"TAO_PASSWORD":                  "generic",
		"TAO_PASSWORD_W_COLDKEY":        "",
	}
	src := PasswordFromEnv(func(k string) string { return env[k] })
	tests := []struct {
		req  PasswordRequest
		want string
	}{
		{PasswordRequest{Wallet: "w", Kind: Hotkey, Hotkey: "miner-1"}, "per-key"},
		{PasswordRequest{Wallet: "w", Kind: Hotkey, Hotkey: "other"}, "generic"},
		{PasswordRequest{Wallet: "w", Kind: Coldkey}, "generic"}, // empty counts as unset
	}
	for _, tt := range tests {
		pw, err := src(tt.req)
		if err != nil || string(pw) != tt.want {
			t.Errorf("password for %s = %q, %v; want %q", tt.req, pw, err, tt.want)
		}
	}
	delete(env, "TAO_PASSWORD")
	_, err := src(PasswordRequest{Wallet: "w", Kind: Coldkey})
	if !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), "TAO_PASSWORD_W_COLDKEY") {
		t.Fatalf("no variable set: %v, want ErrNoPassword naming the variable", err)
	}
}

func TestPasswordFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	req := PasswordRequest{Wallet: "w", Kind: Coldkey}
	for content, want := range map[string]string{"pw\n": "pw", "pw\r\n": "pw", "pw": "pw", " spaced pw \n": " spaced pw "} {
		pw, err := PasswordFromFile(write("ok", content))(req)
		if err != nil || string(pw) != want {
			t.Errorf("file %q: %q, %v; want %q", content, pw, err, want)
		}
	}
	for _, content := range []string{"", "\n", "a\nb\n", strings.Repeat("x", 2000)} {
		if _, err := PasswordFromFile(write("bad", content))(req); err == nil {
			t.Errorf("file %q accepted", content)
		}
	}
	if _, err := PasswordFromFile(filepath.Join(dir, "missing"))(req); err == nil {
		t.Error("missing file accepted")
	}
}

func TestPasswordFromPrompt(t *testing.T) {
	var out strings.Builder
	in := bufio.NewReader(strings.NewReader("one\none\ntwo\nthree\nlast"))
	src := PasswordFromPrompt(in, &out)
	pw, err := src(PasswordRequest{Wallet: "w", Kind: Coldkey, New: true})
	if err != nil || string(pw) != "one" {
		t.Fatalf("new password = %q, %v", pw, err)
	}
	if !strings.Contains(out.String(), "coldkey of wallet \"w\"") || !strings.Contains(out.String(), "Repeat") {
		t.Errorf("prompt %q", out.String())
	}
	if _, err := src(PasswordRequest{Wallet: "w", Kind: Coldkey, New: true}); err == nil {
		t.Fatal("mismatched passwords accepted")
	}
	if pw, err := src(PasswordRequest{Wallet: "w", Kind: Hotkey, Hotkey: "h"}); err != nil || string(pw) != "last" {
		t.Fatalf("last line without newline = %q, %v", pw, err)
	}
	if _, err := src(PasswordRequest{Wallet: "w", Kind: Coldkey}); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("closed input: %v, want ErrNoPassword", err)
	}
}

func TestPasswordChain(t *testing.T) {
	none := PasswordFromEnv(func(string) string { return "" })
	fixed := func(PasswordRequest) ([]byte, error) { return []byte("x"), nil }
	broken := func(PasswordRequest) ([]byte, error) { return nil, errors.New("boom") }
	req := PasswordRequest{Wallet: "w", Kind: Coldkey}
	if pw, err := PasswordChain(none, nil, fixed)(req); err != nil || string(pw) != "x" {
		t.Fatalf("chain = %q, %v", pw, err)
	}
	if _, err := PasswordChain(broken, fixed)(req); err == nil || errors.Is(err, ErrNoPassword) {
		t.Fatalf("a failing source must stop the chain: %v", err)
	}
	if _, err := PasswordChain(none)(req); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("empty chain: %v", err)
	}
}
