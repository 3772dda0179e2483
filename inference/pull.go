package inference

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
)

// PullOptions is one model download.
type PullOptions struct {
	URL string
	// CID, if defined, is the expected CID of the file: a mismatch fails the
	// pull and discards the download. A model already cached under it is
	// not downloaded again.
	CID cid.Cid
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Progress, if set, is called as bytes arrive with the bytes on disk
	// and the total size (-1 if the server does not say).
	Progress func(done, total int64)
}

// ErrCIDMismatch is returned when a pulled file is not the model asked for.
var ErrCIDMismatch = errors.New("inference: downloaded file does not match the expected CID")

// Pull downloads a GGUF model over HTTP into the cache, resuming a previous
// partial download of the same URL with a Range request, and returns its
// path and CID.
func (c Cache) Pull(ctx context.Context, o PullOptions) (string, cid.Cid, error) {
	if c.Dir == "" {
		return "", cid.Undef, errors.New("inference: cache directory not set")
	}
	if o.CID.Defined() {
		if p := c.Path(o.CID); fileExists(p) {
			return p, o.CID, nil
		}
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", cid.Undef, err
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	key := sha256.Sum256([]byte(o.URL))
	partial := filepath.Join(c.Dir, ".partial-"+hex.EncodeToString(key[:8])+".gguf")
	if err := download(ctx, client, o, partial); err != nil {
		return "", cid.Undef, err
	}
	got, err := FileCID(partial)
	if err != nil {
		return "", cid.Undef, err
	}
	if o.CID.Defined() && !got.Equals(o.CID) {
		os.Remove(partial)
		return "", cid.Undef, fmt.Errorf("%w: got %s, want %s (download discarded)", ErrCIDMismatch, got, o.CID)
	}
	if err := checkMagic(partial); err != nil {
		os.Remove(partial)
		return "", cid.Undef, err
	}
	path := c.Path(got)
	if err := os.Rename(partial, path); err != nil {
		return "", cid.Undef, err
	}
	return path, got, nil
}

// download appends the rest of o.URL to the file at partial.
func download(ctx context.Context, client *http.Client, o PullOptions, partial string) error {
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("pull %s: %w (run again to resume)", o.URL, err)
	}
	defer resp.Body.Close()
	total := int64(-1)
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return fmt.Errorf("pull %s: unexpected Content-Range %q", o.URL, resp.Header.Get("Content-Range"))
		}
		total = size
	case http.StatusOK: // no range support, or a fresh start
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		have = 0
		total = resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		return nil // the partial file is already complete
	default:
		return fmt.Errorf("pull %s: %s", o.URL, resp.Status)
	}
	pw := &progressWriter{w: f, done: have, total: total, fn: o.Progress}
	if _, err := io.Copy(pw, resp.Body); err != nil {
		return fmt.Errorf("pull %s: %w after %d bytes (run again to resume)", o.URL, err, pw.done)
	}
	if total >= 0 && pw.done != total {
		return fmt.Errorf("pull %s: got %d of %d bytes (run again to resume)", o.URL, pw.done, total)
	}
	return f.Sync()
}

type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return n, err
}

// parseContentRange parses "bytes START-END/SIZE".
func parseContentRange(s string) (start, size int64, ok bool) {
	s, ok = strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, 0, false
	}
	rng, sz, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, false
	}
	a, _, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	size, err2 := strconv.ParseInt(sz, 10, 64)
	if err2 != nil {
		size = -1
	}
	return start, size, err1 == nil
}

func checkMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var m [4]byte
	if _, err := io.ReadFull(f, m[:]); err != nil || string(m[:]) != "GGUF" {
		return fmt.Errorf("%w: downloaded file is not GGUF", ErrBadModel)
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// ResolveModelURL turns a model reference into the URL Pull downloads:
// hf://OWNER/REPO/PATH.gguf (or hf://OWNER/REPO@REVISION/PATH) becomes the
// Hugging Face hub's download URL, under $HF_ENDPOINT when set (a mirror,
// as huggingface_hub reads it), else https://huggingface.co; http(s) URLs
// are returned as they are. Anything else is an error that names the forms.
func ResolveModelURL(ref string) (string, error) {
	switch {
	case strings.HasPrefix(ref, "http://"), strings.HasPrefix(ref, "https://"):
		return ref, nil
	case !strings.HasPrefix(ref, "hf://"):
		return "", fmt.Errorf("inference: model %q: give hf://OWNER/REPO/FILE.gguf, an http(s) URL or a local path", ref)
	}
	parts := strings.SplitN(strings.TrimPrefix(ref, "hf://"), "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", fmt.Errorf("inference: model %q: want hf://OWNER/REPO/FILE.gguf", ref)
	}
	repo, rev := parts[1], "main"
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo, rev = repo[:i], repo[i+1:]
		if repo == "" || rev == "" {
			return "", fmt.Errorf("inference: model %q: want hf://OWNER/REPO@REVISION/FILE.gguf", ref)
		}
	}
	endpoint := strings.TrimRight(os.Getenv("HF_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = "https://huggingface.co"
	}
	return endpoint + "/" + url.PathEscape(parts[0]) + "/" + url.PathEscape(repo) + "/resolve/" + url.PathEscape(rev) + "/" + parts[2], nil
}
