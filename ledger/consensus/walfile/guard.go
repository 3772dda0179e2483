package walfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Guard is a consensus.SignGuard in one small file, replaced atomically
// on each Save (one frame, as in the WAL, so a damaged file is detected).
// Safe for concurrent use.
type Guard struct {
	mu   sync.Mutex // guards last
	path string
	last consensus.SignState
}

var _ consensus.SignGuard = (*Guard)(nil)

// ErrGuardCorrupt reports a guard file that exists but cannot be read.
// The validator must not sign until an operator restores it: starting
// from zero could double-sign.
var ErrGuardCorrupt = errors.New("walfile: sign guard file is damaged; restore it before signing again")

// OpenGuard reads the guard at path; a missing file is the zero state.
func OpenGuard(path string) (*Guard, error) {
	g := &Guard{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sign guard %s: %w", path, err)
	}
	s, err := decodeGuard(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrGuardCorrupt, path, err)
	}
	g.last = s
	return g, nil
}

// decodeGuard reads the one frame of a guard file.
func decodeGuard(b []byte) (consensus.SignState, error) {
	var s consensus.SignState
	if len(b) < frameHeader || !bytes.Equal(appendFrame(nil, b[frameHeader:]), b) {
		return s, errors.New("bad length or checksum")
	}
	err := protocols.Unmarshal(b[frameHeader:], &s, 256)
	return s, err
}

// Load returns the last saved state.
func (g *Guard) Load() (consensus.SignState, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last, nil
}

// Save durably records s if the last state allows it.
func (g *Guard) Save(s consensus.SignState) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.last.Allows(s) {
		return fmt.Errorf("%w: last %s, asked %s", consensus.ErrDoubleSign, g.last, s)
	}
	b, err := protocols.Marshal(&s)
	if err != nil {
		return err
	}
	if err := writeAtomic(g.path, appendFrame(nil, b)); err != nil {
		return fmt.Errorf("save sign guard: %w", err)
	}
	s.ValueID = bytes.Clone(s.ValueID)
	g.last = s
	return nil
}
