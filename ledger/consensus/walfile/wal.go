package walfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/taonet/tao/ledger/consensus"
)

// WAL is a consensus.WAL in one append-only file. Append writes and
// fsyncs before it returns. Prune empties the file when every record is
// below the height it keeps (the common case: a height's records are
// pruned once it is decided), else rewrites it through a temporary one
// and an atomic rename. Safe for concurrent use.
type WAL struct {
	mu   sync.Mutex // guards f, top
	path string
	f    *os.File
	top  uint64 // highest height in the file; 0 if it is empty
}

var _ consensus.WAL = (*WAL)(nil)

// Open opens or creates the WAL at path and cuts off a torn tail left by
// a crash during Append.
func Open(path string) (*WAL, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open WAL %s: %w", path, err)
	}
	recs, good, err := ReadRecords(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read WAL %s: %w", path, err)
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate WAL %s: %w", path, err)
	}
	if _, err := f.Seek(good, 0); err != nil {
		f.Close()
		return nil, err
	}
	w := &WAL{path: path, f: f}
	for _, r := range recs {
		w.top = max(w.top, r.Height)
	}
	return w, nil
}

// Append encodes recs, writes them in one write and fsyncs.
func (w *WAL) Append(recs []consensus.Record) error {
	if len(recs) == 0 {
		return nil
	}
	var buf []byte
	for i := range recs {
		b, err := consensus.EncodeRecord(&recs[i])
		if err != nil {
			return err
		}
		buf = appendFrame(buf, b)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(buf); err != nil {
		return fmt.Errorf("append to WAL %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync WAL %s: %w", w.path, err)
	}
	for i := range recs {
		w.top = max(w.top, recs[i].Height)
	}
	return nil
}

func (w *WAL) all() ([]consensus.Record, error) {
	b, err := os.ReadFile(w.path)
	if err != nil {
		return nil, fmt.Errorf("read WAL %s: %w", w.path, err)
	}
	recs, _, err := ReadRecords(bytes.NewReader(b))
	return recs, err
}

// Records returns the records of height h in the order appended.
func (w *WAL) Records(h uint64) ([]consensus.Record, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	all, err := w.all()
	if err != nil {
		return nil, err
	}
	var out []consensus.Record
	for _, r := range all {
		if r.Height == h {
			out = append(out, r)
		}
	}
	return out, nil
}

// Prune drops the records below height h.
func (w *WAL) Prune(h uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.top < h {
		// Everything goes: truncate in place, without reading, rewriting
		// or syncing. A crash that undoes the truncation leaves records
		// below h, which Records never returns for a later height; if it
		// keeps the next record written over the file's front, old frames
		// can survive after it (a record at h followed by ones below h),
		// equally filtered out by Records and gone at the next Prune.
		if err := w.f.Truncate(0); err != nil {
			return fmt.Errorf("prune WAL %s: %w", w.path, err)
		}
		if _, err := w.f.Seek(0, 0); err != nil {
			return fmt.Errorf("prune WAL %s: %w", w.path, err)
		}
		w.top = 0
		return nil
	}
	all, err := w.all()
	if err != nil {
		return err
	}
	var buf []byte
	dropped := false
	for i := range all {
		if all[i].Height < h {
			dropped = true
			continue
		}
		b, err := consensus.EncodeRecord(&all[i])
		if err != nil {
			return err
		}
		buf = appendFrame(buf, b)
	}
	if !dropped {
		return nil
	}
	if err := writeAtomic(w.path, buf); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("reopen WAL %s: %w", w.path, err)
	}
	w.f.Close()
	w.f = f
	return nil
}

// Close closes the file. A second call is a no-op.
func (w *WAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// writeAtomic replaces path with data: temporary file, fsync, rename,
// fsync of the directory, so a crash leaves the old or the new file.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
