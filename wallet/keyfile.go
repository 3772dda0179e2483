package wallet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Keyfile format constants.
const (
	// KeyfileVersion is the only envelope version this package reads and writes.
	KeyfileVersion = 1
	// MaxKeyfileSize bounds a key file; larger input is rejected unread.
	MaxKeyfileSize = 4096

	CipherXChaCha20Poly1305 = "xchacha20-poly1305"
	CipherNone              = "none"
)

var (
	// ErrWrongPassword reports that a key file did not decrypt: the password
	// is wrong, or the file was altered. Callers add which key and how to
	// supply the right password.
	ErrWrongPassword = errors.New("wallet: wrong password for key file (or the file was altered)")
	// ErrBadKeyfile reports a key file that is truncated, corrupt or not a
	// tao key file at all.
	ErrBadKeyfile = errors.New("wallet: malformed key file")
)

// Keyfile is a decoded key file envelope. When Encrypted is false the
// payload in Secret is in the clear (an unattended miner's hotkey).
type Keyfile struct {
	Version   int
	Kind      Kind
	PubKey    ed25519.PublicKey
	Encrypted bool

	// Set only when Encrypted.
	KDF        KDFParams
	Salt       []byte
	Nonce      []byte
	Ciphertext []byte

	// Set only when not Encrypted: seed || entropy.
	Secret []byte
}

// The JSON wire form. Byte fields are lowercase hex.
type keyfileJSON struct {
	Version    int      `json:"version"`
	Kind       Kind     `json:"kind"`
	PubKey     string   `json:"pubkey"`
	Encrypted  bool     `json:"encrypted"`
	KDF        *kdfJSON `json:"kdf,omitempty"`
	Cipher     string   `json:"cipher"`
	Nonce      string   `json:"nonce,omitempty"`
	Ciphertext string   `json:"ciphertext,omitempty"`
	Secret     string   `json:"secret,omitempty"`
}

type kdfJSON struct {
	Name   string        `json:"name"`
	Params kdfParamsJSON `json:"params"`
	Salt   string        `json:"salt"`
}

type kdfParamsJSON struct {
	Time      uint32 `json:"time,omitempty"`
	MemoryKiB uint32 `json:"memory_kib,omitempty"`
	Threads   uint8  `json:"threads,omitempty"`
	N         int    `json:"n,omitempty"`
	R         int    `json:"r,omitempty"`
	P         int    `json:"p,omitempty"`
}

// DecodeKeyfile parses and validates a key file. It checks the size before
// parsing, the version and kind before anything else, and every field's
// length and KDF parameter bound; it derives nothing. Encode of an accepted
// file decodes to an equal Keyfile, and re-encoding that is a fixed point.
func DecodeKeyfile(b []byte) (*Keyfile, error) {
	if len(b) > MaxKeyfileSize {
		return nil, fmt.Errorf("%w: %d bytes, a key file is at most %d", ErrBadKeyfile, len(b), MaxKeyfileSize)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrBadKeyfile)
	}
	// First only the version, so a newer file gets "upgrade tao" rather
	// than a complaint about a field this version does not know. Unmarshal
	// also rejects invalid JSON and trailing data.
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("%w: not JSON (truncated or corrupt?): %v", ErrBadKeyfile, err)
	}
	if head.Version == nil {
		return nil, fmt.Errorf("%w: no version field", ErrBadKeyfile)
	}
	if *head.Version != KeyfileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d (this tao reads version %d; upgrade tao)", ErrBadKeyfile, *head.Version, KeyfileVersion)
	}
	var w keyfileJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyfile, err)
	}
	return w.decode()
}

func (w *keyfileJSON) decode() (*Keyfile, error) {
	if !w.Kind.valid() {
		return nil, fmt.Errorf("%w: unknown kind %q (want coldkey or hotkey)", ErrBadKeyfile, clip(string(w.Kind)))
	}
	f := &Keyfile{Version: w.Version, Kind: w.Kind, Encrypted: w.Encrypted}
	var err error
	if f.PubKey, err = decodeHex("pubkey", w.PubKey, ed25519.PublicKeySize, ed25519.PublicKeySize); err != nil {
		return nil, err
	}
	if !w.Encrypted {
		if w.Cipher != CipherNone || w.KDF != nil || w.Nonce != "" || w.Ciphertext != "" {
			return nil, fmt.Errorf("%w: unencrypted key file with cipher %q, kdf, nonce or ciphertext", ErrBadKeyfile, clip(w.Cipher))
		}
		if w.Kind != Hotkey {
			return nil, fmt.Errorf("%w: an unencrypted %s (only hotkeys may be stored without a password)", ErrBadKeyfile, w.Kind)
		}
		if f.Secret, err = decodeHex("secret", w.Secret, SeedSize, SeedSize+32); err != nil {
			return nil, err
		}
		if !validPayloadLen(len(f.Secret)) {
			return nil, fmt.Errorf("%w: secret has %d bytes, want 32, 48 or 64", ErrBadKeyfile, len(f.Secret))
		}
		return f, nil
	}
	if w.Cipher != CipherXChaCha20Poly1305 {
		return nil, fmt.Errorf("%w: unknown cipher %q (this tao knows %s)", ErrBadKeyfile, clip(w.Cipher), CipherXChaCha20Poly1305)
	}
	if w.KDF == nil || w.Secret != "" {
		return nil, fmt.Errorf("%w: encrypted key file needs a kdf and no clear secret", ErrBadKeyfile)
	}
	f.KDF = KDFParams{
		Name: w.KDF.Name, Time: w.KDF.Params.Time, MemoryKiB: w.KDF.Params.MemoryKiB,
		Threads: w.KDF.Params.Threads, N: w.KDF.Params.N, R: w.KDF.Params.R, P: w.KDF.Params.P,
	}
	if err := f.KDF.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyfile, err)
	}
	if f.Salt, err = decodeHex("salt", w.KDF.Salt, minSaltSize, maxSaltSize); err != nil {
		return nil, err
	}
	if f.Nonce, err = decodeHex("nonce", w.Nonce, nonceSize, nonceSize); err != nil {
		return nil, err
	}
	if f.Ciphertext, err = decodeHex("ciphertext", w.Ciphertext, SeedSize+tagSize, SeedSize+32+tagSize); err != nil {
		return nil, err
	}
	if !validPayloadLen(len(f.Ciphertext) - tagSize) {
		return nil, fmt.Errorf("%w: ciphertext has %d bytes, want 48, 64 or 80", ErrBadKeyfile, len(f.Ciphertext))
	}
	return f, nil
}

// validPayloadLen: a seed alone, or a seed and 12- or 24-word entropy.
func validPayloadLen(n int) bool { return n == SeedSize || n == SeedSize+16 || n == SeedSize+32 }

// decodeHex checks the length before decoding, and accepts only lowercase
// hex so that every value has one encoding.
func decodeHex(field, s string, minLen, maxLen int) ([]byte, error) {
	if len(s) < 2*minLen || len(s) > 2*maxLen || len(s)%2 != 0 {
		return nil, fmt.Errorf("%w: %s has %d hex digits, want %d to %d", ErrBadKeyfile, field, len(s), 2*minLen, 2*maxLen)
	}
	b, err := hex.DecodeString(s)
	if err != nil || hex.EncodeToString(b) != s {
		return nil, fmt.Errorf("%w: %s is not lowercase hex", ErrBadKeyfile, field)
	}
	return b, nil
}

// Encode returns the JSON form of f, indented and ending in a newline.
func (f *Keyfile) Encode() ([]byte, error) {
	w := keyfileJSON{
		Version:   f.Version,
		Kind:      f.Kind,
		PubKey:    hex.EncodeToString(f.PubKey),
		Encrypted: f.Encrypted,
	}
	if f.Encrypted {
		w.Cipher = CipherXChaCha20Poly1305
		w.KDF = &kdfJSON{
			Name: f.KDF.Name,
			Params: kdfParamsJSON{
				Time: f.KDF.Time, MemoryKiB: f.KDF.MemoryKiB, Threads: f.KDF.Threads,
				N: f.KDF.N, R: f.KDF.R, P: f.KDF.P,
			},
			Salt: hex.EncodeToString(f.Salt),
		}
		w.Nonce = hex.EncodeToString(f.Nonce)
		w.Ciphertext = hex.EncodeToString(f.Ciphertext)
	} else {
		w.Cipher = CipherNone
		w.Secret = hex.EncodeToString(f.Secret)
	}
	b, err := json.MarshalIndent(&w, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("wallet: encode key file: %w", err)
	}
	return append(b, '\n'), nil
}
