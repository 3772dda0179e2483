package inference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// A partial download resumes only with the file it began with: the
// validator of the answer that sent its first bytes (a strong ETag, else
// Last-Modified) is kept next to it, in .partial-KEY.validator, and a
// resume sends it as If-Range with the Range (RFC 9110 §13.1.5), as
// browsers' download managers do. The server sends the rest (206) only if
// the file still has that validator, else the whole new file (200), which
// then replaces the partial from byte 0.
//
// Without a validator (a server that sends none, only a weak ETag, an
// unreadable file, or a partial begun by an older tao) a partial resumes
// with a bare Range only when something else will catch a changed file:
// the SHA-256 the Hugging Face hub lists, or the CID asked for (resumeGuarded).
// Any other pull starts over from byte 0.

const (
	resumeValidatorVersion = 1
	// maxResumeValidatorSize bounds a .validator file: one header value of
	// at most maxValidatorLen, quoted, fits.
	maxResumeValidatorSize = 4 << 10
)

// resumeValidatorFile is a .validator file's form on disk.
type resumeValidatorFile struct {
	Version int    `json:"version"`
	IfRange string `json:"if_range"`
}

// validatorPath is the file that keeps the validator of the partial
// download at partial.
func validatorPath(partial string) string {
	return strings.TrimSuffix(partial, ".gguf") + ".validator"
}

// ifRangeValidator is the value of an answer's header that a resume can
// send in If-Range: a strong ETag (a weak one cannot be, RFC 9110
// §13.1.5), else Last-Modified if it is a strong validator, that is at
// least a second before the answer's Date (§8.8.2.2); "" if neither.
func ifRangeValidator(h http.Header) string {
	if etag := h.Get("ETag"); validETag(etag) && !strings.HasPrefix(etag, "W/") {
		return etag
	}
	lm := h.Get("Last-Modified")
	if lm == "" || !validHeaderValue(lm) {
		return ""
	}
	mod, err1 := http.ParseTime(lm)
	date, err2 := http.ParseTime(h.Get("Date"))
	if err1 != nil || err2 != nil || date.Sub(mod) < time.Second {
		return ""
	}
	return lm
}

// sameValidator reports whether an answer's header carries the validator
// v that a resume sent in If-Range, or carries none of its kind (which
// proves nothing either way).
func sameValidator(h http.Header, v string) bool {
	if strings.HasPrefix(v, `"`) {
		etag := h.Get("ETag")
		return etag == "" || etag == v
	}
	lm := h.Get("Last-Modified")
	if lm == "" {
		return true
	}
	a, err1 := http.ParseTime(lm)
	b, err2 := http.ParseTime(v)
	return err1 == nil && err2 == nil && a.Equal(b)
}

// encodeResumeValidator is the .validator file's bytes for v.
func encodeResumeValidator(v string) ([]byte, error) {
	b, err := json.Marshal(resumeValidatorFile{Version: resumeValidatorVersion, IfRange: v})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeResumeValidator reads a .validator file's bytes. It rejects, with
// an error that says what is wrong, anything encodeResumeValidator would
// not write: oversized input, unknown fields or versions, trailing data,
// a value that is neither a strong entity tag nor an HTTP date.
func decodeResumeValidator(b []byte) (string, error) {
	if len(b) > maxResumeValidatorSize {
		return "", fmt.Errorf("%d bytes, over the %d a validator takes", len(b), maxResumeValidatorSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f resumeValidatorFile
	if err := dec.Decode(&f); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("data after the validator")
	}
	if f.Version != resumeValidatorVersion {
		return "", fmt.Errorf("version %d, want %d (written by another tao version)", f.Version, resumeValidatorVersion)
	}
	v := f.IfRange
	switch {
	case strings.HasPrefix(v, `"`):
		if !validETag(v) {
			return "", fmt.Errorf("if_range %q is not an entity tag", v)
		}
	case !validHeaderValue(v):
		return "", fmt.Errorf("if_range %q is not a header value", v)
	default:
		if _, err := http.ParseTime(v); err != nil {
			return "", fmt.Errorf("if_range %q is neither a strong entity tag nor an HTTP date", v)
		}
	}
	return v, nil
}

// loadResumeValidator returns the validator kept for the partial download
// at partial, or "" if none: missing, or unreadable (with a warning on log).
func loadResumeValidator(partial string, log *slog.Logger) string {
	path := validatorPath(partial)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err == nil {
		defer f.Close()
		var b []byte
		if b, err = io.ReadAll(io.LimitReader(f, maxResumeValidatorSize+1)); err == nil {
			var v string
			if v, err = decodeResumeValidator(b); err == nil {
				return v
			}
		}
	}
	log.Warn("model pull: ignoring an unreadable validator of the partial download (damaged, or written by another tao version)", "validator", path, "err", err)
	return ""
}

// saveResumeValidator keeps v as the validator of the partial download at
// partial, replacing the last by atomic rename; v == "" removes it.
func saveResumeValidator(partial, v string) error {
	path := validatorPath(partial)
	if v == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := encodeResumeValidator(v)
	if err != nil {
		return err
	}
	return writeSmallFile(path, b)
}

// removePartial removes the partial download at partial and its validator.
func removePartial(partial string) {
	os.Remove(partial)
	os.Remove(validatorPath(partial))
}

// resumeGuarded reports whether a changed file would be caught after a
// resume with a bare Range: the hub lists its SHA-256, and a CID asked for
// is checked.
func resumeGuarded(o PullOptions) bool { return o.CID.Defined() || onHub(o.URL) }
