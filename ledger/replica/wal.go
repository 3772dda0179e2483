package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/taonet/tao/ledger/consensus"
)

// maxWALRecord bounds one WAL record (a proposal with its block is the
// largest input).
const maxWALRecord = 16 << 20

// FileWAL is a consensus.WAL with one append-only file per height
// (DIR/<height>.wal). A record is framed as uvarint(length) ‖ CRC-32C ‖
// bytes; Append fsyncs. A torn last frame, as kill -9 during a write
// leaves, ends the height's records; a corrupt frame elsewhere is an error.
type FileWAL struct {
	dir string

	mu sync.Mutex // guards f, fh
	f  *os.File
	fh uint64
}

var _ consensus.WAL = (*FileWAL)(nil)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// OpenFileWAL opens (creating) the WAL directory.
func OpenFileWAL(dir string) (*FileWAL, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create WAL directory: %w", err)
	}
	return &FileWAL{dir: dir}, nil
}

func (w *FileWAL) path(h uint64) string {
	return filepath.Join(w.dir, strconv.FormatUint(h, 10)+".wal")
}

// Append durably adds records.
func (w *FileWAL) Append(recs []consensus.Record) error {
	if len(recs) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := w.f.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		return w.f.Sync()
	}
	for i := range recs {
		r := &recs[i]
		if w.f == nil || w.fh != r.Height {
			if err := flush(); err != nil {
				return err
			}
			if w.f != nil {
				w.f.Close()
			}
			f, err := os.OpenFile(w.path(r.Height), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return fmt.Errorf("open WAL: %w", err)
			}
			w.f, w.fh = f, r.Height
		}
		b, err := consensus.EncodeRecord(r)
		if err != nil {
			return err
		}
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(b, crcTable))
		buf = append(buf, b...)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("write WAL: %w", err)
	}
	return nil
}

// Records returns the records of height h in order.
func (w *FileWAL) Records(h uint64) ([]consensus.Record, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, err := os.ReadFile(w.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read WAL: %w", err)
	}
	return decodeWAL(b)
}

// decodeWAL parses frames; a truncated final frame is dropped.
func decodeWAL(b []byte) ([]consensus.Record, error) {
	var out []consensus.Record
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > maxWALRecord {
			if k == 0 {
				return out, nil // torn length prefix
			}
			return nil, fmt.Errorf("%w: bad frame length", consensus.ErrBadRecord)
		}
		if uint64(len(b)-k) < 4+n {
			return out, nil // torn last frame
		}
		sum := binary.BigEndian.Uint32(b[k:])
		body := b[k+4 : k+4+int(n)]
		if crc32.Checksum(body, crcTable) != sum {
			if len(b) == k+4+int(n) {
				return out, nil // torn last frame
			}
			return nil, fmt.Errorf("%w: checksum mismatch", consensus.ErrBadRecord)
		}
		r, err := consensus.DecodeRecord(body)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
		b = b[k+4+int(n):]
	}
	return out, nil
}

// Prune deletes the files of heights below h.
func (w *FileWAL) Prune(h uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".wal")
		if !ok {
			continue
		}
		eh, err := strconv.ParseUint(name, 10, 64)
		if err != nil || eh >= h {
			continue
		}
		if w.f != nil && w.fh == eh {
			w.f.Close()
			w.f = nil
		}
		if err := os.Remove(filepath.Join(w.dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the open file.
func (w *FileWAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
