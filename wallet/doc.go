// Package wallet holds the keys a tao user can trust: an ed25519 coldkey that
// owns balances and stake, and ed25519 hotkeys, each of which is a node's
// libp2p identity (DESIGN.md §2).
//
// First calls:
//
//	s := &wallet.Store{Home: home, Password: wallet.PasswordFromFile("pw.txt")}
//	cold, hot, err := s.Create("default", wallet.CreateOptions{})
//	// show cold.Mnemonic() and hot.Mnemonic() to the user once
//	hk, err := s.Hotkey("default", "default") // unlock the node identity
//	host, err := libp2p.New(libp2p.Identity(hk.LibP2P()))
//
// # Layout
//
// Keys live one file per key, as in Bittensor:
//
//	<home>/wallets/<wallet>/coldkey          encrypted coldkey
//	<home>/wallets/<wallet>/coldkeypub.txt   the coldkey address only (watch-only)
//	<home>/wallets/<wallet>/hotkeys/<name>   a hotkey, encrypted unless created with NoPassword
//
// Directories are created 0700 and files 0600. Every write goes to a temporary
// file in the same directory, is fsynced and then renamed (or linked, when it
// must not replace an existing key), so a crash or a failed operation never
// leaves a half-written or modified key file behind.
//
// # Addresses
//
// A hotkey prints as its libp2p peer ID ("12D3KooW..."). A coldkey prints as
// "tao1" followed by the lowercase, unpadded RFC 4648 base32 encoding of
// pubkey(32) || checksum(4), where checksum is the first four bytes of
// SHA-256("tao1" || pubkey): 62 characters in all. [ParseAddress] is
// case-insensitive and rejects a bad checksum with [ErrBadChecksum].
//
// # Keyfile format
//
// A key file is a versioned JSON envelope (see [Keyfile]):
//
//	{"version":1,"kind":"coldkey","pubkey":"<hex>","encrypted":true,
//	 "kdf":{"name":"argon2id","params":{"time":3,"memory_kib":65536,"threads":4},"salt":"<hex>"},
//	 "cipher":"xchacha20-poly1305","nonce":"<hex 24 bytes>","ciphertext":"<hex>"}
//
// The secret payload is the 32-byte ed25519 seed followed by the BIP-39
// entropy (16 or 32 bytes) when the key came from a mnemonic. The AEAD key is
// derived from the password by the named KDF with a random 16-byte salt per
// file; the associated data binds the kind and public key. A hotkey written
// with NoPassword has "encrypted":false, "cipher":"none" and the payload in
// "secret". Production KDF defaults are memory-hard: argon2id with 64 MiB,
// t=3, 4 lanes ([DefaultKDF], RFC 9106's second recommended option) or scrypt
// with N=2^15, r=8, p=1 ([ScryptKDF]). Decoding bounds the file size
// ([MaxKeyfileSize]) and every field and KDF parameter before any allocation
// or key derivation, and rejects unknown versions, kinds and ciphers.
//
// # Mnemonics
//
// A key's ed25519 seed is the SLIP-10 ed25519 master private key of the
// BIP-39 seed of its mnemonic with an empty passphrase:
//
//	seed64 = PBKDF2-HMAC-SHA512(words joined by one space, "mnemonic", 2048, 64)
//	I      = HMAC-SHA512(key = "ed25519 seed", data = seed64)
//	ed25519 seed = I[0:32]
//
// so any SLIP-10 ed25519 wallet derives the same master key from the same
// words. Mnemonics have 12 or 24 English words.
//
// # Passwords
//
// A [PasswordSource] supplies passwords: [PasswordFromPrompt] (a line from a
// reader; the caller turns terminal echo off if it can),
// [PasswordFromFile], and [PasswordFromEnv], which reads the variable named
// by [PasswordEnvVar] — TAO_PASSWORD_<WALLET>_COLDKEY or
// TAO_PASSWORD_<WALLET>_HOTKEY_<NAME>, upper-cased with every character other
// than A-Z and 0-9 replaced by '_' — and falls back to TAO_PASSWORD.
// [PasswordChain] tries sources in order.
//
// A Store holds no open files or locks; its methods are safe for concurrent
// use as long as its fields are not changed, but two processes writing the
// same key race (the last rename wins).
package wallet
