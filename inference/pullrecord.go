package inference

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipfs/go-cid"
)

// A pull record remembers, per source URL, what the last successful pull
// of it got: the CID, and the validators the server sent with the bytes
// (ETag, Last-Modified, size). A later pull of the URL asks the server
// whether the file changed since (If-None-Match, else If-Modified-Since)
// and, on 304 Not Modified, answers from the cache without a download, as
// huggingface_hub's cache does with the ETag it keeps per revision.
//
// Each URL has its own small file, DIR/.pulls/HASH.json (HASH: the first
// 16 bytes of the URL's SHA-256, in hex), written by atomic rename, so
// that concurrent pulls of different URLs never lose each other's record
// and a damaged file costs one URL one download, never a model. A cache
// written before records existed simply has none.

const (
	pullRecordDir     = ".pulls"
	pullRecordVersion = 1
	// maxPullRecordSize bounds a record file: a URL, a CID and two header
	// values fit many times over.
	maxPullRecordSize = 64 << 10
	// maxValidatorLen bounds an ETag or Last-Modified value kept.
	maxValidatorLen = 1024
)

// pullRecord is what the last successful pull of URL got.
type pullRecord struct {
	URL          string
	CID          cid.Cid
	ETag         string // as the server sent it, quotes and W/ included; "": none
	LastModified string // as the server sent it; "": none
	Size         int64  // bytes of the file
}

// validated reports whether the record lets a pull ask for the file
// conditionally: without a validator, the server can only send it again.
func (r pullRecord) validated() bool { return r.ETag != "" || r.LastModified != "" }

// condition sets the conditional headers that ask the server for the file
// only if it changed since r: If-None-Match with the ETag, else
// If-Modified-Since with Last-Modified, verbatim as RFC 9110 §13.1.3
// recommends.
func (r pullRecord) condition(h http.Header) {
	switch {
	case r.ETag != "":
		h.Set("If-None-Match", r.ETag)
	case r.LastModified != "":
		h.Set("If-Modified-Since", r.LastModified)
	}
}

// pullRecordFile is a record's form on disk.
type pullRecordFile struct {
	Version      int    `json:"version"`
	URL          string `json:"url"`
	CID          string `json:"cid"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Size         int64  `json:"size"`
}

// encodePullRecord is the file's bytes for r.
func encodePullRecord(r pullRecord) ([]byte, error) {
	b, err := json.Marshal(pullRecordFile{
		Version: pullRecordVersion, URL: r.URL, CID: r.CID.String(),
		ETag: r.ETag, LastModified: r.LastModified, Size: r.Size,
	})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodePullRecord reads a record file's bytes. It rejects, with an error
// that says what is wrong, anything encodePullRecord would not write:
// oversized input, unknown fields or versions, trailing data, a CID the
// cache would not name a model by, header values that could not be sent
// back.
func decodePullRecord(b []byte) (pullRecord, error) {
	if len(b) > maxPullRecordSize {
		return pullRecord{}, fmt.Errorf("%d bytes, over the %d a record takes", len(b), maxPullRecordSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f pullRecordFile
	if err := dec.Decode(&f); err != nil {
		return pullRecord{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return pullRecord{}, errors.New("data after the record")
	}
	if f.Version != pullRecordVersion {
		return pullRecord{}, fmt.Errorf("version %d, want %d (written by another tao version)", f.Version, pullRecordVersion)
	}
	if f.URL == "" {
		return pullRecord{}, errors.New("no url")
	}
	id, err := cid.Decode(f.CID)
	if err != nil {
		return pullRecord{}, fmt.Errorf("cid %q: %w", f.CID, err)
	}
	if mh := []byte(id.Hash()); id.Version() != 1 || id.Type() != cid.Raw || len(mh) != 2+sha256.Size || mh[0] != sha256Code || mh[1] != sha256.Size {
		return pullRecord{}, fmt.Errorf("cid %s is not a raw sha2-256 CIDv1, as the cache names models", id)
	}
	if f.Size < 0 {
		return pullRecord{}, fmt.Errorf("size %d", f.Size)
	}
	if f.ETag != "" && !validETag(f.ETag) {
		return pullRecord{}, fmt.Errorf("etag %q is not an entity tag", f.ETag)
	}
	if f.LastModified != "" {
		if !validHeaderValue(f.LastModified) {
			return pullRecord{}, fmt.Errorf("last_modified %q is not a header value", f.LastModified)
		}
		if _, err := http.ParseTime(f.LastModified); err != nil {
			return pullRecord{}, fmt.Errorf("last_modified %q is not an HTTP date", f.LastModified)
		}
	}
	return pullRecord{URL: f.URL, CID: id, ETag: f.ETag, LastModified: f.LastModified, Size: f.Size}, nil
}

// validETag reports whether s is an entity tag (RFC 9110 §8.8.3): an
// optional W/, then quoted visible ASCII without quotes, of a length worth
// sending back.
func validETag(s string) bool {
	if len(s) > maxValidatorLen {
		return false
	}
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for _, c := range []byte(s[1 : len(s)-1]) {
		if c < 0x21 || c > 0x7e || c == '"' {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s is printable ASCII of a length worth
// sending back: a value net/http sends unchanged and that cannot split a
// header.
func validHeaderValue(s string) bool {
	if len(s) > maxValidatorLen {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// pullRecordPath is the file of rawURL's record.
func (c Cache) pullRecordPath(rawURL string) string {
	key := sha256.Sum256([]byte(rawURL))
	return filepath.Join(c.Dir, pullRecordDir, hex.EncodeToString(key[:16])+".json")
}

// loadPullRecord returns the record of rawURL's last pull, if there is one
// whose model is still in the cache and that can ask the server for a
// change. A missing record is none; an unreadable one is none too, with a
// warning on log: the pull downloads the file and rewrites the record.
func (c Cache) loadPullRecord(rawURL string, log *slog.Logger) (pullRecord, bool) {
	path := c.pullRecordPath(rawURL)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pullRecord{}, false
	}
	if err != nil {
		log.Warn("model pull: cannot read the record of the last pull of this URL; downloading the file again", "url", rawURL, "record", path, "err", err)
		return pullRecord{}, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPullRecordSize+1))
	if err == nil {
		var r pullRecord
		if r, err = decodePullRecord(b); err == nil {
			if r.URL != rawURL {
				return pullRecord{}, false // another URL's record under the same hash: not ours
			}
			// The model must still be in the cache, whole: a 304 means
			// "keep what you have".
			if fi, err := os.Stat(c.Path(r.CID)); err != nil || fi.Size() != r.Size || !r.validated() {
				return pullRecord{}, false
			}
			return r, true
		}
	}
	log.Warn("model pull: ignoring an unreadable record of the last pull of this URL (damaged, or written by another tao version); downloading the file again and rewriting the record (no cached model is affected)", "url", rawURL, "record", path, "err", err)
	return pullRecord{}, false
}

// savePullRecord writes r as its URL's record, replacing the last by
// atomic rename.
func (c Cache) savePullRecord(r pullRecord) error {
	b, err := encodePullRecord(r)
	if err != nil {
		return err
	}
	path := c.pullRecordPath(r.URL)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeSmallFile(path, b)
}

// writeSmallFile replaces path with b by an atomic rename of a temporary file
// beside it (mode 0644), so a reader sees the old content or the new, never part.
func writeSmallFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// forgetPullRecord removes rawURL's record, if any.
func (c Cache) forgetPullRecord(rawURL string) {
	os.Remove(c.pullRecordPath(rawURL))
}
