package wallet

import (
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

// KDF names as they appear in key files.
const (
	KDFArgon2id = "argon2id"
	KDFScrypt   = "scrypt"
)

// Bounds on KDF parameters read from a key file, checked before deriving
// so a crafted file cannot make the CLI allocate more than maxKDFMemory.
const (
	maxKDFMemory  = 1 << 30 // bytes
	maxArgonTime  = 16
	maxKDFThreads = 16
	maxScryptR    = 32
	minSaltSize   = 16
	maxSaltSize   = 64
	saltSize      = 16
	keySize       = 32
)

// KDFParams chooses the password-based key derivation for new key files.
// The zero value means DefaultKDF. Tests use tiny parameters so suites run
// fast; files written with them decode and open like any other.
type KDFParams struct {
	// Name is KDFArgon2id or KDFScrypt; empty means DefaultKDF.
	Name string

	// Argon2id: passes, memory in KiB and lanes.
	Time      uint32
	MemoryKiB uint32
	Threads   uint8

	// Scrypt: cost N (a power of two), block size r, parallelism p.
	N, R, P int
}

// DefaultKDF is argon2id with t=3, 64 MiB and 4 lanes: the second option
// RFC 9106 recommends. BenchmarkOpen measures an unlock with it.
func DefaultKDF() KDFParams {
	return KDFParams{Name: KDFArgon2id, Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
}

// ScryptKDF is scrypt with N=2^15, r=8, p=1 (32 MiB), the parameters
// golang.org/x/crypto/scrypt recommends for interactive logins.
func ScryptKDF() KDFParams {
	return KDFParams{Name: KDFScrypt, N: 1 << 15, R: 8, P: 1}
}

func (p KDFParams) withDefaults() KDFParams {
	if p.Name == "" {
		return DefaultKDF()
	}
	return p
}

// validate checks the parameters against the bounds above, so that no key
// file can ask for unbounded memory or time.
func (p KDFParams) validate() error {
	switch p.Name {
	case KDFArgon2id:
		if p.N != 0 || p.R != 0 || p.P != 0 {
			return fmt.Errorf("wallet: argon2id KDF with scrypt parameters")
		}
		if p.Time < 1 || p.Time > maxArgonTime {
			return fmt.Errorf("wallet: argon2id time %d outside [1, %d]", p.Time, maxArgonTime)
		}
		if p.Threads < 1 || p.Threads > maxKDFThreads {
			return fmt.Errorf("wallet: argon2id threads %d outside [1, %d]", p.Threads, maxKDFThreads)
		}
		if p.MemoryKiB < 8*uint32(p.Threads) || uint64(p.MemoryKiB)*1024 > maxKDFMemory {
			return fmt.Errorf("wallet: argon2id memory %d KiB outside [%d, %d]", p.MemoryKiB, 8*uint32(p.Threads), maxKDFMemory/1024)
		}
	case KDFScrypt:
		if p.Time != 0 || p.MemoryKiB != 0 || p.Threads != 0 {
			return fmt.Errorf("wallet: scrypt KDF with argon2id parameters")
		}
		if p.N < 2 || p.N&(p.N-1) != 0 || p.N > maxKDFMemory/128 {
			return fmt.Errorf("wallet: scrypt N=%d is not a power of two in [2, 2^23]", p.N)
		}
		if p.R < 1 || p.R > maxScryptR {
			return fmt.Errorf("wallet: scrypt r=%d outside [1, %d]", p.R, maxScryptR)
		}
		if p.P < 1 || p.P > maxKDFThreads {
			return fmt.Errorf("wallet: scrypt p=%d outside [1, %d]", p.P, maxKDFThreads)
		}
		if int64(128)*int64(p.N)*int64(p.R) > maxKDFMemory {
			return fmt.Errorf("wallet: scrypt N=%d r=%d needs more than %d MiB", p.N, p.R, maxKDFMemory>>20)
		}
	default:
		return fmt.Errorf("wallet: unknown KDF %q (this tao knows %s and %s)", p.Name, KDFArgon2id, KDFScrypt)
	}
	return nil
}

// derive stretches password and salt into a 32-byte AEAD key. p must have
// passed validate.
func (p KDFParams) derive(password, salt []byte) ([]byte, error) {
	switch p.Name {
	case KDFArgon2id:
		return argon2.IDKey(password, salt, p.Time, p.MemoryKiB, p.Threads, keySize), nil
	case KDFScrypt:
		k, err := scrypt.Key(password, salt, p.N, p.R, p.P, keySize)
		if err != nil {
			return nil, fmt.Errorf("wallet: scrypt: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("wallet: unknown KDF %q", p.Name)
}
