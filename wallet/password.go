package wallet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrNoPassword reports that a source has no password for the key. A
// PasswordChain moves on to its next source on this error.
var ErrNoPassword = errors.New("wallet: no password available")

// maxPasswordSize bounds a password read from a file or a prompt line.
const maxPasswordSize = 1024

// PasswordRequest says which key a password is for.
type PasswordRequest struct {
	Wallet string
	Kind   Kind
	Hotkey string // hotkey name; empty for the coldkey
	// New is true when a key is being encrypted for the first time, so an
	// interactive prompt asks twice.
	New bool
}

func (r PasswordRequest) String() string {
	if r.Kind == Hotkey {
		return fmt.Sprintf("hotkey %q of wallet %q", r.Hotkey, r.Wallet)
	}
	return fmt.Sprintf("coldkey of wallet %q", r.Wallet)
}

// PasswordSource returns the password for a key, or an error wrapping
// ErrNoPassword when it has none. The caller may wipe the returned slice.
type PasswordSource func(req PasswordRequest) ([]byte, error)

// PasswordEnvVar names the per-key environment variable:
// TAO_PASSWORD_<WALLET>_COLDKEY or TAO_PASSWORD_<WALLET>_HOTKEY_<NAME>, with
// the names upper-cased and every character other than A-Z and 0-9 replaced
// by '_'. Distinct names can map to one variable ("a-b" and "a_b").
func PasswordEnvVar(wallet string, kind Kind, hotkey string) string {
	if kind == Hotkey {
		return "TAO_PASSWORD_" + envName(wallet) + "_HOTKEY_" + envName(hotkey)
	}
	return "TAO_PASSWORD_" + envName(wallet) + "_COLDKEY"
}

// PasswordEnvFallback is read when the per-key variable is unset or empty.
const PasswordEnvFallback = "TAO_PASSWORD"

func envName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}

// PasswordFromEnv reads PasswordEnvVar(req), then PasswordEnvFallback, using
// getenv (nil means os.Getenv). Empty values count as unset.
func PasswordFromEnv(getenv func(string) string) PasswordSource {
	if getenv == nil {
		getenv = os.Getenv
	}
	return func(req PasswordRequest) ([]byte, error) {
		name := PasswordEnvVar(req.Wallet, req.Kind, req.Hotkey)
		if v := getenv(name); v != "" {
			return []byte(v), nil
		}
		if v := getenv(PasswordEnvFallback); v != "" {
			return []byte(v), nil
		}
		return nil, fmt.Errorf("%w: neither %s nor %s is set", ErrNoPassword, name, PasswordEnvFallback)
	}
}

// PasswordFromFile reads the password from the first line of the file at
// path (one trailing "\n" or "\r\n" is dropped). The same password serves
// every key.
func PasswordFromFile(path string) PasswordSource {
	return func(req PasswordRequest) ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("wallet: password file: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxPasswordSize+3))
		if err != nil {
			return nil, fmt.Errorf("wallet: read password file %s: %w", path, err)
		}
		pw := trimNewline(b)
		if len(pw) > maxPasswordSize || bytes.ContainsAny(pw, "\r\n") {
			return nil, fmt.Errorf("wallet: password file %s must hold one line of at most %d bytes", path, maxPasswordSize)
		}
		if len(pw) == 0 {
			return nil, fmt.Errorf("wallet: password file %s is empty", path)
		}
		return pw, nil
	}
}

func trimNewline(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// PasswordFromPrompt writes a prompt to out and reads one line from in; for
// a new key it asks twice and fails if the answers differ. It does not turn
// terminal echo off: a caller with a terminal should do that around the
// call. Pass a *bufio.Reader to share buffered input with other readers
// (such as a mnemonic read from the same stdin).
func PasswordFromPrompt(in io.Reader, out io.Writer) PasswordSource {
	br, ok := in.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(in)
	}
	return func(req PasswordRequest) ([]byte, error) {
		fmt.Fprintf(out, "Password for %s: ", req)
		pw, err := readLine(br)
		if err != nil {
			return nil, err
		}
		if req.New {
			fmt.Fprintf(out, "Repeat the password: ")
			again, err := readLine(br)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(pw, again) {
				return nil, fmt.Errorf("wallet: the passwords for %s do not match; try again", req)
			}
		}
		return pw, nil
	}
}

// readLine reads one line of at most maxPasswordSize bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxPasswordSize+2 {
			return nil, fmt.Errorf("wallet: password line longer than %d bytes", maxPasswordSize)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) == 0 {
			return nil, fmt.Errorf("%w: input closed before a password was entered (use a password file or TAO_PASSWORD)", ErrNoPassword)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("wallet: read password: %w", err)
		}
		return trimNewline(line), nil
	}
}

// PasswordChain tries each source in order and returns the first password
// found. A source failing with anything but ErrNoPassword stops the chain.
func PasswordChain(sources ...PasswordSource) PasswordSource {
	return func(req PasswordRequest) ([]byte, error) {
		var errs []error
		for _, src := range sources {
			if src == nil {
				continue
			}
			pw, err := src(req)
			if err == nil {
				return pw, nil
			}
			if !errors.Is(err, ErrNoPassword) {
				return nil, err
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return nil, fmt.Errorf("%w for %s", ErrNoPassword, req)
		}
		return nil, errors.Join(errs...)
	}
}
