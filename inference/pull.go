package inference

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/ipfs/go-cid"
)

// PullOptions is one model download.
type PullOptions struct {
	URL string
	// CID, if defined, is the expected CID of the file: a mismatch fails the
	// pull and discards the download. A model already cached under it is
	// not downloaded again.
	CID cid.Cid
	// Client sends the requests; nil means http.DefaultClient (which reads
	// HTTPS_PROXY and the other proxy variables).
	Client *http.Client
	// Progress, if set, is called as bytes arrive with the bytes on disk
	// and the total size (-1 if the server does not say).
	Progress func(done, total int64)
	// Token, if set, is sent as a bearer token (a Hugging Face access
	// token, for a private or gated repository: HubToken) to the URL's host
	// only: a redirect elsewhere (the hub's CDN, whose URLs are presigned)
	// goes without it.
	Token string
	// Log, if set, receives warnings: an unreadable pull record (ignored),
	// one that could not be written. Nil discards them.
	Log *slog.Logger
}

// PullResult is where a pulled model is.
type PullResult struct {
	Path string
	CID  cid.Cid
	// Cached is true when nothing was downloaded: the model was already
	// in the cache (by --cid, by the SHA-256 the server lists, or because
	// the server answered that the URL's file is unchanged since its last
	// pull).
	Cached bool
}

var (
	// ErrCIDMismatch is returned when a pulled file is not the model asked for.
	ErrCIDMismatch = errors.New("inference: downloaded file does not match the expected CID")
	// ErrChecksum is returned when a pulled file does not match the SHA-256
	// or size the server announced for it (the Hugging Face hub's
	// X-Linked-Etag and X-Linked-Size).
	ErrChecksum = errors.New("inference: downloaded file does not match the checksum the server gave")
	// ErrUnreachable is returned when the model's host cannot be reached:
	// a DNS, connection, proxy or TLS failure before any answer.
	ErrUnreachable = errors.New("inference: cannot reach the model's host")
)

// Pull downloads a GGUF model over HTTP into the cache, resuming a previous
// partial download of the same URL with a Range request, and returns its
// path and CID. A resume sends If-Range with the validator of the answer
// that began the partial download, so that a file changed since is
// downloaded again from byte 0 rather than appended to the old bytes; a
// partial download without one resumes only if the hub's SHA-256 or
// o.CID will check the result, else starts over (pullresume.go).
//
// The file is checked against the SHA-256 and size the server announces, as
// huggingface_hub's get_hf_file_metadata reads them: the hub answers
// OWNER/REPO/resolve/REV/FILE with a redirect to its CDN whose
// X-Linked-Etag is the quoted SHA-256 of an LFS file and X-Linked-Size its
// size; failing those, a strong ETag of 64 hex digits on the first answer
// is taken as the SHA-256. A model already cached under that SHA-256 is not
// downloaded again. A mismatch discards the download (ErrChecksum).
//
// A server that lists no SHA-256 (a plain http(s) URL) is asked instead
// whether the file changed since the URL's last pull: the cache keeps, per
// URL, the CID that pull got and the ETag and Last-Modified the server
// sent with it (pullrecord.go), and sends them back as If-None-Match, else
// If-Modified-Since. A 304 Not Modified answers from the cache; a new file
// downloads and replaces the record. A server that sends neither header,
// or ignores conditional requests, sends the file again.
func (c Cache) Pull(ctx context.Context, o PullOptions) (PullResult, error) {
	if c.Dir == "" {
		return PullResult{}, errors.New("inference: cache directory not set")
	}
	if o.CID.Defined() {
		if p := c.Path(o.CID); fileExists(p) {
			return PullResult{Path: p, CID: o.CID, Cached: true}, nil
		}
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return PullResult{}, err
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key := sha256.Sum256([]byte(o.URL))
	partial := filepath.Join(c.Dir, ".partial-"+hex.EncodeToString(key[:8])+".gguf")
	unlock, err := lockPull(ctx, o.URL, partial, log) // pulllock.go
	if err != nil {
		return PullResult{}, err
	}
	defer unlock()
	if o.CID.Defined() { // pulled meanwhile by the pull waited for
		if p := c.Path(o.CID); fileExists(p) {
			return PullResult{Path: p, CID: o.CID, Cached: true}, nil
		}
	}
	cached := func(m fileMeta) bool { return m.sha256 != nil && fileExists(c.Path(cidFromDigest(m.sha256))) }
	var prev *pullRecord
	if r, ok := c.loadPullRecord(o.URL, log); ok {
		prev = &r
	}
	meta, err := download(ctx, client, o, partial, cached, prev, log)
	if err != nil {
		return PullResult{}, err
	}
	if meta.unchanged && meta.sha256 != nil && !cached(meta) {
		// Unchanged, says the server, yet it lists a SHA-256 other than
		// the last pull's: trust neither, and ask without the record
		// next time.
		c.forgetPullRecord(o.URL)
		return PullResult{}, fmt.Errorf("pull %s: the server answered 304 Not Modified but lists sha256 %s, not that of %s from the last pull (record discarded): run again to download the file",
			o.URL, hex.EncodeToString(meta.sha256), prev.CID)
	}
	if cached(meta) || meta.unchanged {
		removePartial(partial) // a stale partial download of a file now cached
		var id cid.Cid
		if cached(meta) {
			id = cidFromDigest(meta.sha256)
		} else {
			id = prev.CID // unchanged: the file of the last pull
		}
		if o.CID.Defined() && !id.Equals(o.CID) {
			return PullResult{}, fmt.Errorf("%w: the server lists %s, want %s: check the expected CID, or the URL serves another file", ErrCIDMismatch, id, o.CID)
		}
		return PullResult{Path: c.Path(id), CID: id, Cached: true}, nil
	}
	got, err := FileCID(partial)
	if err != nil {
		return PullResult{}, err
	}
	if err := meta.check(partial, got); err != nil {
		removePartial(partial)
		return PullResult{}, fmt.Errorf("pull %s: %w", o.URL, err)
	}
	if o.CID.Defined() && !got.Equals(o.CID) {
		removePartial(partial)
		return PullResult{}, fmt.Errorf("%w: got %s, want %s (download discarded): check the expected CID, or the URL serves another file", ErrCIDMismatch, got, o.CID)
	}
	if err := checkMagic(partial); err != nil {
		removePartial(partial)
		return PullResult{}, fmt.Errorf("pull %s: %w (download discarded): check that the URL names a .gguf file", o.URL, err)
	}
	fi, err := os.Stat(partial)
	if err != nil {
		return PullResult{}, err
	}
	path := c.Path(got)
	if err := os.Rename(partial, path); err != nil {
		return PullResult{}, err
	}
	os.Remove(validatorPath(partial))
	rec := pullRecord{URL: o.URL, CID: got, Size: fi.Size()}
	if validETag(meta.etag) {
		rec.ETag = meta.etag
	}
	if _, err := http.ParseTime(meta.lastModified); err == nil && validHeaderValue(meta.lastModified) {
		rec.LastModified = meta.lastModified
	}
	if err := c.savePullRecord(rec); err != nil {
		// The model is in the cache; without the record the next pull of
		// the URL downloads it again.
		log.Warn("model pull: cannot write the record of this pull; the next pull of this URL downloads the file again", "url", o.URL, "err", err)
	}
	return PullResult{Path: path, CID: got}, nil
}

// Add copies the GGUF file at path into the cache, as a machine without
// internet does with a model copied over, and returns its cached path and
// CID.
func (c Cache) Add(path string) (string, cid.Cid, error) {
	if err := checkMagic(path); err != nil {
		return "", cid.Undef, fmt.Errorf("%s: %w: give a .gguf file", path, err)
	}
	return c.Put(func(w io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// download appends the rest of o.URL to the file at partial, creating it
// once the server has answered, and returns what the server said about the
// file. If cached reports the file announced already in the cache, it
// stops at that answer and writes nothing. If prev is set, the request
// asks for the file only if it changed since that pull, and a 304 answer
// writes nothing either (meta.unchanged).
//
// A partial file resumes with If-Range and the validator kept for it
// (pullresume.go): a 206 appends, a 200 (the file changed, or the server
// does not resume) starts over from byte 0 and keeps the new answer's
// validator. Without a validator it resumes with a bare Range only if
// resumeGuarded, else starts over.
func download(ctx context.Context, client *http.Client, o PullOptions, partial string, cached func(fileMeta) bool, prev *pullRecord, log *slog.Logger) (fileMeta, error) {
	meta := fileMeta{size: -1}
	var have int64
	if fi, err := os.Stat(partial); err == nil {
		have = fi.Size()
	}
	var validator string // sent in If-Range
	if have > 0 {
		validator = loadResumeValidator(partial, log)
		if validator == "" && !resumeGuarded(o) {
			log.Warn("model pull: starting the download over from byte 0: the partial download has no validator to check that the server's file is still the one it began with (the server sent no strong ETag or Last-Modified, or an older tao began it)", "url", o.URL, "partial_bytes", have)
			removePartial(partial)
			have = 0
		}
	} else {
		os.Remove(validatorPath(partial)) // a stale one, of no partial
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return meta, err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		if validator != "" {
			// RFC 9110 §13.1.5: the rest if the file is still the one
			// of this validator, else all of it.
			req.Header.Set("If-Range", validator)
		}
	}
	if o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+o.Token)
	}
	if prev != nil {
		// net/http sends these on along redirects: the validators are the
		// last answer's, the one that sent the bytes.
		prev.condition(req.Header)
	}
	// The hub's metadata is on its redirect, not on the CDN's answer.
	cl := *client
	redirects := 0
	cl.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		// The token is for the first host alone, over the first scheme:
		// net/http would keep it for a subdomain, another port of the same
		// name, or a downgrade to http.
		if r.URL.Host != via[0].URL.Host || r.URL.Scheme != via[0].URL.Scheme {
			r.Header.Del("Authorization")
		}
		if r.Response != nil {
			meta.note(r.Response.Header, redirects == 0)
		}
		redirects++
		if cached(meta) {
			return http.ErrUseLastResponse
		}
		if client.CheckRedirect != nil {
			return client.CheckRedirect(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	// A partial that the next run would not resume: discarded on an
	// error, and no error offers a resume.
	resumable := validator != "" || resumeGuarded(o)
	resp, err := cl.Do(req)
	if err != nil {
		if !resumable {
			have = 0
		}
		return meta, requestError(o.URL, have, err)
	}
	defer resp.Body.Close()
	meta.note(resp.Header, redirects == 0)
	if cached(meta) {
		return meta, nil
	}
	if resp.StatusCode == http.StatusNotModified && prev != nil {
		meta.unchanged = true
		return meta, nil
	}
	meta.etag, meta.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	total := int64(-1)
	flag := os.O_WRONLY | os.O_CREATE
	fresh := false // the body is the whole file: a new validator
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			removePartial(partial)
			return meta, fmt.Errorf("pull %s: the server resumed with Content-Range %q, not at byte %d (partial download discarded): run again", o.URL, resp.Header.Get("Content-Range"), have)
		}
		if validator != "" && !sameValidator(resp.Header, validator) {
			// The server ignored If-Range: these are another file's bytes.
			removePartial(partial)
			return meta, fmt.Errorf("pull %s: the server resumed the download with another version of the file (ETag %q, Last-Modified %q; the partial download had %s) and ignored If-Range (partial download discarded): run again to download the file from the start",
				o.URL, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), validator)
		}
		total = size
		flag |= os.O_APPEND
	case http.StatusOK: // a fresh start, a changed file, or no range support
		if have > 0 {
			now := ifRangeValidator(resp.Header)
			switch {
			case validator != "" && now != validator:
				log.Warn("model pull: the file changed on the server since the partial download began; starting over from byte 0", "url", o.URL, "was", validator, "now", now, "discarded_bytes", have)
			default:
				log.Warn("model pull: the server sent the whole file instead of the rest (it does not resume downloads); starting over from byte 0", "url", o.URL, "discarded_bytes", have)
			}
		}
		have = 0
		total = resp.ContentLength
		flag |= os.O_TRUNC
		fresh = true
	case http.StatusRequestedRangeNotSatisfiable:
		if have > 0 {
			return meta, nil // the partial file is already complete; the checks tell
		}
		return meta, statusError(o.URL, resp, o.Token != "")
	default:
		return meta, statusError(o.URL, resp, o.Token != "")
	}
	if total >= 0 && meta.size >= 0 && total != meta.size {
		removePartial(partial)
		return meta, fmt.Errorf("pull %s: %w", o.URL, meta.mismatch(total))
	}
	f, err := os.OpenFile(partial, flag, 0o644)
	if err != nil {
		return meta, err
	}
	defer f.Close()
	if fresh {
		// After the truncation, so that no validator is ever kept with
		// another file's bytes.
		validator = ifRangeValidator(resp.Header)
		if err := saveResumeValidator(partial, validator); err != nil {
			log.Warn("model pull: cannot keep the validator of this download; if it is interrupted, the next pull starts over (or, from the hub or with --cid, resumes checked by the checksum)", "url", o.URL, "err", err)
			os.Remove(validatorPath(partial)) // an older one must not vouch for these bytes
			validator = ""
		}
		resumable = validator != "" || resumeGuarded(o)
	}
	pw := &progressWriter{w: f, done: have, total: total, fn: o.Progress}
	if _, err := io.Copy(pw, resp.Body); err != nil {
		return meta, interrupted(o.URL, partial, pw.done, resumable, err)
	}
	if total >= 0 && pw.done != total {
		return meta, interrupted(o.URL, partial, pw.done, resumable, fmt.Errorf("got %d of %d bytes", pw.done, total))
	}
	return meta, f.Sync()
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

func checkMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var m [4]byte
	if _, err := io.ReadFull(f, m[:]); err != nil || string(m[:]) != "GGUF" {
		return fmt.Errorf("%w: not a GGUF file", ErrBadModel)
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
