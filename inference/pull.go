package inference

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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
// path and CID.
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
	cached := func(m fileMeta) bool { return m.sha256 != nil && fileExists(c.Path(cidFromDigest(m.sha256))) }
	var prev *pullRecord
	if r, ok := c.loadPullRecord(o.URL, log); ok {
		prev = &r
	}
	meta, err := download(ctx, client, o, partial, cached, prev)
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
		os.Remove(partial) // a stale partial download of a file now cached
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
		os.Remove(partial)
		return PullResult{}, fmt.Errorf("pull %s: %w", o.URL, err)
	}
	if o.CID.Defined() && !got.Equals(o.CID) {
		os.Remove(partial)
		return PullResult{}, fmt.Errorf("%w: got %s, want %s (download discarded): check the expected CID, or the URL serves another file", ErrCIDMismatch, got, o.CID)
	}
	if err := checkMagic(partial); err != nil {
		os.Remove(partial)
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

// fileMeta is what the server said about the file before its bytes.
type fileMeta struct {
	sha256 []byte // nil: not said
	size   int64  // -1: not said
	// etag and lastModified are the validators of the answer that sent the
	// bytes (the last of any redirects); "": not said.
	etag, lastModified string
	// unchanged: the server answered 304 Not Modified to the conditional
	// request made from the URL's pull record.
	unchanged bool
}

// note reads X-Linked-Etag and X-Linked-Size from a response's header,
// keeping the first of each; first marks the answer to the URL asked for,
// whose ETag is also read.
func (m *fileMeta) note(h http.Header, first bool) {
	if m.sha256 == nil {
		etag := h.Get("X-Linked-Etag")
		if etag == "" && first {
			etag = h.Get("ETag")
		}
		m.sha256 = sha256ETag(etag)
	}
	if m.size < 0 {
		if n, err := strconv.ParseInt(h.Get("X-Linked-Size"), 10, 64); err == nil && n >= 0 {
			m.size = n
		}
	}
}

// sha256ETag returns the SHA-256 a strong ETag of 64 hex digits names, or nil.
func sha256ETag(etag string) []byte {
	s, ok := strings.CutPrefix(etag, `"`)
	if !ok {
		return nil // weak (W/"...") or not an entity tag
	}
	s, ok = strings.CutSuffix(s, `"`)
	if !ok || len(s) != 2*sha256.Size {
		return nil
	}
	d, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return d
}

// check compares the downloaded file at path, whose CID is got, with m.
func (m fileMeta) check(path string, got cid.Cid) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	digest := []byte(got.Hash())[2:] // cidFromDigest: sha2-256 code, length, digest
	if (m.size < 0 || fi.Size() == m.size) && (m.sha256 == nil || bytes.Equal(digest, m.sha256)) {
		return nil
	}
	return fmt.Errorf("%w: got %s, the server lists %s (download discarded): run again; if it fails again, the server or its mirror serves a different file than it lists",
		ErrChecksum, describeFile(digest, fi.Size()), describeFile(m.sha256, m.size))
}

// mismatch is check's error before the bytes arrive: the size the body
// will have differs from the one listed.
func (m fileMeta) mismatch(total int64) error {
	return fmt.Errorf("%w: the server sends %d bytes but lists %s (download discarded): run again; if it fails again, the server or its mirror serves a different file than it lists",
		ErrChecksum, total, describeFile(m.sha256, m.size))
}

func describeFile(sha []byte, size int64) string {
	var parts []string
	if sha != nil {
		parts = append(parts, "sha256 "+hex.EncodeToString(sha))
	}
	if size >= 0 {
		parts = append(parts, strconv.FormatInt(size, 10)+" bytes")
	}
	return strings.Join(parts, ", ")
}

// download appends the rest of o.URL to the file at partial, creating it
// once the server has answered, and returns what the server said about the
// file. If cached reports the file announced already in the cache, it
// stops at that answer and writes nothing. If prev is set, the request
// asks for the file only if it changed since that pull, and a 304 answer
// writes nothing either (meta.unchanged).
func download(ctx context.Context, client *http.Client, o PullOptions, partial string, cached func(fileMeta) bool, prev *pullRecord) (fileMeta, error) {
	meta := fileMeta{size: -1}
	var have int64
	if fi, err := os.Stat(partial); err == nil {
		have = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return meta, err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
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
	resp, err := cl.Do(req)
	if err != nil {
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
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			os.Remove(partial)
			return meta, fmt.Errorf("pull %s: the server resumed with Content-Range %q, not at byte %d (partial download discarded): run again", o.URL, resp.Header.Get("Content-Range"), have)
		}
		total = size
		flag |= os.O_APPEND
	case http.StatusOK: // no range support, or a fresh start
		have = 0
		total = resp.ContentLength
		flag |= os.O_TRUNC
	case http.StatusRequestedRangeNotSatisfiable:
		if have > 0 {
			return meta, nil // the partial file is already complete; the checks tell
		}
		return meta, statusError(o.URL, resp, o.Token != "")
	default:
		return meta, statusError(o.URL, resp, o.Token != "")
	}
	if total >= 0 && meta.size >= 0 && total != meta.size {
		os.Remove(partial)
		return meta, fmt.Errorf("pull %s: %w", o.URL, meta.mismatch(total))
	}
	f, err := os.OpenFile(partial, flag, 0o644)
	if err != nil {
		return meta, err
	}
	defer f.Close()
	pw := &progressWriter{w: f, done: have, total: total, fn: o.Progress}
	if _, err := io.Copy(pw, resp.Body); err != nil {
		return meta, interrupted(o.URL, partial, pw.done, err)
	}
	if total >= 0 && pw.done != total {
		return meta, interrupted(o.URL, partial, pw.done, fmt.Errorf("got %d of %d bytes", pw.done, total))
	}
	return meta, f.Sync()
}

// requestError is the error of a request that got no answer: for a host
// that cannot be reached, ErrUnreachable with what to check.
func requestError(rawURL string, have int64, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	resume := "run again"
	if have > 0 {
		resume = fmt.Sprintf("run again to resume from the %d bytes downloaded", have)
	}
	if unreachable(err) {
		return fmt.Errorf("pull %s: %w: %w: check the URL and this machine's network or proxy (HTTPS_PROXY is used when set), then %s; without internet, copy the .gguf file to this machine and give its path instead of the URL",
			rawURL, ErrUnreachable, err, resume)
	}
	return fmt.Errorf("pull %s: %w: %s", rawURL, err, resume)
}

// unreachable reports whether err failed to reach the host: DNS, the TCP
// or proxy connection, or the TLS handshake.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var host x509.HostnameError
	// A timeout before any answer (connecting, or the TLS handshake) that
	// is not the caller's own deadline.
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout() &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
	return timeout || errors.As(err, &dns) ||
		errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") ||
		errors.As(err, &cert) || errors.As(err, &rec) || errors.As(err, &ua) || errors.As(err, &host)
}

// interrupted is the error of a body cut short after done bytes are on
// disk in partial; an empty partial file is removed.
func interrupted(rawURL, partial string, done int64, err error) error {
	if done == 0 {
		os.Remove(partial)
		return fmt.Errorf("pull %s: %w: run again", rawURL, err)
	}
	return fmt.Errorf("pull %s: %w after %d bytes: run again to resume", rawURL, err, done)
}

// statusError names the fix for an HTTP error status.
func statusError(rawURL string, resp *http.Response, token bool) error {
	var fix string
	hub := onHub(rawURL)
	switch {
	case resp.StatusCode == http.StatusNotFound && hub:
		fix = "check the owner, repository, revision and file name in the URL"
	case resp.StatusCode == http.StatusNotFound:
		fix = "the server has no file at this path: check the URL"
	case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && !hub:
		fix = "the server refused access, and tao sends a token only to the Hugging Face hub ($HF_TOKEN): download the file with that server's credentials and pull its local path"
	case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && token:
		fix = "the access token in HF_TOKEN was refused or cannot read this repository: accept the model's terms on its page with the token's account, or check the token; check the URL too"
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		fix = "a private or gated repository needs an access token: set HF_TOKEN to a Hugging Face token (huggingface.co/settings/tokens) whose account has accepted the model's terms; check the URL too (the hub answers 401 for a repository that does not exist)"
	case resp.StatusCode >= 500:
		fix = "the server failed: run again later"
	default:
		fix = "check the URL"
	}
	return fmt.Errorf("pull %s: the server answered %s: %s", rawURL, resp.Status, fix)
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
		return fmt.Errorf("%w: not a GGUF file", ErrBadModel)
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// HubToken returns the Hugging Face access token for rawURL: $HF_TOKEN (or
// the older $HUGGING_FACE_HUB_TOKEN), as huggingface_hub reads it, when
// rawURL is on the hub (https://huggingface.co or $HF_ENDPOINT), else "",
// so that a token is never sent to another host.
func HubToken(rawURL string) string {
	tok := os.Getenv("HF_TOKEN")
	if tok == "" {
		tok = os.Getenv("HUGGING_FACE_HUB_TOKEN")
	}
	if tok == "" || !onHub(rawURL) {
		return ""
	}
	return tok
}

// onHub reports whether rawURL is on the Hugging Face hub: the scheme and
// host of https://huggingface.co or of $HF_ENDPOINT.
func onHub(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	for _, hub := range []string{"https://huggingface.co", os.Getenv("HF_ENDPOINT")} {
		if h, err := url.Parse(hub); err == nil && hub != "" && h.Scheme == u.Scheme && h.Host == u.Host {
			return true
		}
	}
	return false
}

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
