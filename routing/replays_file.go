package routing

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The replay window on disk: a miner restarted within the window must not
// serve again a request its previous run served. Each admitted request
// appends one record to the file (a write, not an fsync: a killed process
// loses nothing the kernel has; a power loss may lose the last records,
// a window of at most 2·MaxClockSkew). On start the file is read back,
// records outside the window dropped, and the file rewritten compactly;
// it is compacted again whenever it holds four times the live records.
//
// Record: uvarint(len(client)) ‖ client (a peer ID's bytes) ‖ request
// ID (16 bytes) ‖ admission time (unix ms, 8 bytes big-endian).

// maxReplayClient bounds a stored client ID (a peer ID is ~38 bytes).
const maxReplayClient = 128

type replayRecord struct {
	key  replayKey
	time time.Time
}

func appendReplayRecord(b []byte, k replayKey, t time.Time) []byte {
	b = binary.AppendUvarint(b, uint64(len(k.client)))
	b = append(b, k.client...)
	b = append(b, k.id[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixMilli()))
}

// readReplayRecords decodes a replay file. A torn last record (a crash
// mid-write) ends the read without error; anything else malformed is an
// error, and the caller starts with an empty window rather than trusting it.
func readReplayRecords(r io.Reader) ([]replayRecord, error) {
	br := bufio.NewReader(r)
	var out []replayRecord
	for {
		n, err := binary.ReadUvarint(br)
		if err == io.EOF {
			return out, nil
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("replay file: %w", err)
		}
		if n == 0 || n > maxReplayClient {
			return out, fmt.Errorf("replay file: client ID of %d bytes", n)
		}
		rec := make([]byte, int(n)+16+8)
		if _, err := io.ReadFull(br, rec); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				return out, nil // a torn last record
			}
			return out, fmt.Errorf("replay file: %w", err)
		}
		var k replayKey
		k.client = peer.ID(rec[:n])
		copy(k.id[:], rec[n:n+16])
		ms := int64(binary.BigEndian.Uint64(rec[n+16:]))
		out = append(out, replayRecord{key: k, time: time.UnixMilli(ms)})
	}
}

// replayLog is the open replay file.
type replayLog struct {
	path    string
	f       *os.File
	records int // records in the file
}

// openReplays loads the window from path (creating it) into r and keeps
// appending to it. A file that does not decode is set aside as path.bad
// with a warning; the miner starts with what it could read.
func (r *replays) open(path string, warn func(msg string, args ...any)) error {
	now := r.clock.Now()
	if b, err := os.ReadFile(path); err == nil {
		recs, err := readReplayRecords(bytes.NewReader(b))
		if err != nil {
			warn("replay window file is damaged; kept what decodes, moved it aside", "path", path, "err", err)
			_ = os.Rename(path, path+".bad")
		}
		r.mu.Lock()
		for _, rec := range recs {
			if now.Sub(rec.time) <= r.window && len(r.order) < r.max {
				if _, dup := r.seen[rec.key]; !dup {
					r.seen[rec.key] = rec.time
					r.order = append(r.order, rec.key)
				}
			}
		}
		r.mu.Unlock()
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read the replay window %s: %w", path, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = &replayLog{path: path}
	return r.compact()
}

// compact rewrites the file with the live records. The caller holds mu.
func (r *replays) compact() error {
	var b []byte
	for _, k := range r.order {
		b = appendReplayRecord(b, k, r.seen[k])
	}
	tmp := r.log.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write the replay window: %w", err)
	}
	if err := os.Rename(tmp, r.log.path); err != nil {
		return fmt.Errorf("write the replay window: %w", err)
	}
	if r.log.f != nil {
		r.log.f.Close()
	}
	f, err := os.OpenFile(r.log.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open the replay window: %w", err)
	}
	r.log.f, r.log.records = f, len(r.order)
	return nil
}

// persist appends an admitted request to the file. The caller holds mu.
// A failed write is returned: the miner refuses the request rather than
// serve one it could not remember.
func (r *replays) persist(k replayKey, t time.Time) error {
	if r.log == nil {
		return nil
	}
	if r.log.records >= 4*max(len(r.order), 256) {
		if err := r.compact(); err != nil {
			return err
		}
	}
	if _, err := r.log.f.Write(appendReplayRecord(nil, k, t)); err != nil {
		return fmt.Errorf("record the request in the replay window: %w", err)
	}
	r.log.records++
	return nil
}

// close closes the file.
func (r *replays) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.log == nil || r.log.f == nil {
		return nil
	}
	err := r.log.f.Close()
	r.log.f = nil
	return err
}
