package inference

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
)

// What a pull reads from the server: the file's SHA-256 and size as the
// Hugging Face hub lists them, Content-Range, and the hub's URLs and token.

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
