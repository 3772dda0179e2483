package wallet

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	nonceSize = chacha20poly1305.NonceSizeX
	tagSize   = chacha20poly1305.Overhead
)

// payload is the secret a key file protects: seed || entropy.
func (k *Key) payload() []byte {
	return append(k.Seed(), k.entropy...)
}

// associatedData binds the kind and public key to the ciphertext, so a file
// edited to claim another key or kind fails to decrypt.
func associatedData(kind Kind, pub []byte) []byte {
	ad := []byte("tao/keyfile/v1/" + string(kind) + "/")
	return append(ad, pub...)
}

// Seal encrypts k under password with a fresh random salt and nonce drawn
// from rnd (nil means crypto/rand). kdf's zero value means DefaultKDF.
func Seal(k *Key, password []byte, kdf KDFParams, rnd io.Reader) (*Keyfile, error) {
	if len(password) == 0 {
		return nil, fmt.Errorf("wallet: empty password (an unencrypted key needs the explicit no-password option, for hotkeys only)")
	}
	kdf = kdf.withDefaults()
	if err := kdf.validate(); err != nil {
		return nil, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	f := &Keyfile{
		Version:   KeyfileVersion,
		Kind:      k.kind,
		PubKey:    k.Public(),
		Encrypted: true,
		KDF:       kdf,
		Salt:      make([]byte, saltSize),
		Nonce:     make([]byte, nonceSize),
	}
	if _, err := io.ReadFull(rnd, f.Salt); err != nil {
		return nil, fmt.Errorf("wallet: draw salt: %w", err)
	}
	if _, err := io.ReadFull(rnd, f.Nonce); err != nil {
		return nil, fmt.Errorf("wallet: draw nonce: %w", err)
	}
	key, err := kdf.derive(password, f.Salt)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	f.Ciphertext = aead.Seal(nil, f.Nonce, k.payload(), associatedData(k.kind, f.PubKey))
	return f, nil
}

// SealPlain stores a hotkey without encryption, for unattended miners whose
// disk is the only protection. It refuses coldkeys.
func SealPlain(k *Key) (*Keyfile, error) {
	if k.kind != Hotkey {
		return nil, fmt.Errorf("wallet: only hotkeys may be stored without a password, not a %s", k.kind)
	}
	return &Keyfile{Version: KeyfileVersion, Kind: k.kind, PubKey: k.Public(), Secret: k.payload()}, nil
}

// Open decrypts f with password (ignored when f is not encrypted). A failed
// decryption returns ErrWrongPassword; a payload that does not match the
// recorded public key returns ErrBadKeyfile.
func (f *Keyfile) Open(password []byte) (*Key, error) {
	payload := f.Secret
	if f.Encrypted {
		if err := f.KDF.validate(); err != nil {
			return nil, err
		}
		key, err := f.KDF.derive(password, f.Salt)
		if err != nil {
			return nil, err
		}
		aead, err := chacha20poly1305.NewX(key)
		if err != nil {
			return nil, fmt.Errorf("wallet: %w", err)
		}
		if len(f.Nonce) != aead.NonceSize() {
			return nil, fmt.Errorf("%w: nonce has %d bytes", ErrBadKeyfile, len(f.Nonce))
		}
		payload, err = aead.Open(nil, f.Nonce, f.Ciphertext, associatedData(f.Kind, f.PubKey))
		if err != nil {
			return nil, ErrWrongPassword
		}
	}
	if !validPayloadLen(len(payload)) {
		return nil, fmt.Errorf("%w: secret has %d bytes", ErrBadKeyfile, len(payload))
	}
	k, err := NewKey(f.Kind, payload[:SeedSize])
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(k.Public(), f.PubKey) {
		return nil, fmt.Errorf("%w: secret does not match the recorded public key", ErrBadKeyfile)
	}
	if len(payload) > SeedSize {
		// Keep the entropy only if it really is this key's mnemonic, so
		// Mnemonic never shows words that restore a different key.
		m, err := mnemonicFromEntropy(payload[SeedSize:])
		if err != nil {
			return nil, fmt.Errorf("%w: mnemonic entropy: %v", ErrBadKeyfile, err)
		}
		seed, _, err := seedFromMnemonic(m)
		if err != nil || !bytes.Equal(seed, payload[:SeedSize]) {
			return nil, fmt.Errorf("%w: stored mnemonic does not derive the stored key", ErrBadKeyfile)
		}
		k.entropy = bytes.Clone(payload[SeedSize:])
	}
	return k, nil
}
