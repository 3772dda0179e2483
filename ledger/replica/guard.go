package replica

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// maxGuardSize bounds the guard file; a SignState encodes in ~60 bytes.
const maxGuardSize = 1024

// FileGuard is a consensus.SignGuard kept in one file, replaced atomically
// and fsynced on every Save, so a validator never signs two different
// values for one (height, round, step), even across kill -9.
type FileGuard struct {
	path string

	mu   sync.Mutex // guards last
	last consensus.SignState
}

var _ consensus.SignGuard = (*FileGuard)(nil)

// OpenFileGuard loads path (creating nothing until the first Save). A
// corrupt file is an error: signing without knowing what was signed
// could equivocate.
func OpenFileGuard(path string) (*FileGuard, error) {
	g := &FileGuard{path: path}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return g, nil
	case err != nil:
		return nil, fmt.Errorf("read signing guard: %w", err)
	}
	if err := protocols.Unmarshal(b, &g.last, maxGuardSize); err != nil {
		return nil, fmt.Errorf("signing guard %s is corrupt (%v); refusing to sign. If you are sure this validator signed nothing at the current height, move the file away", path, err)
	}
	return g, nil
}

// Load returns the last saved state.
func (g *FileGuard) Load() (consensus.SignState, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last, nil
}

// Save durably records s, refusing a state the last one does not allow.
func (g *FileGuard) Save(s consensus.SignState) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.last.Allows(s) {
		return fmt.Errorf("%w: last %s, asked %s", consensus.ErrDoubleSign, g.last, s)
	}
	b, err := protocols.Marshal(&s)
	if err != nil {
		return err
	}
	if err := writeSynced(g.path, b); err != nil {
		return fmt.Errorf("save signing guard: %w", err)
	}
	s.ValueID = bytes.Clone(s.ValueID)
	g.last = s
	return nil
}

// writeSynced replaces path with data: temp file, fsync, rename, fsync
// of the directory.
func writeSynced(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
