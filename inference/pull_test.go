package inference

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPullResume(t *testing.T) {
	model, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var lastRange atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastRange.Store(r.Header.Get("Range"))
		if calls.Add(1) == 1 {
			// Drop the connection after a third of the file.
			w.Header().Set("Content-Length", strconv.Itoa(len(model)))
			w.Write(model[:len(model)/3])
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "m.gguf", time.Time{}, bytes.NewReader(model))
	}))
	defer srv.Close()
	cache := Cache{Dir: t.TempDir()}
	want := CIDOf(model)
	if _, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want}); err == nil {
		t.Fatal("first pull succeeded despite the dropped connection")
	}
	var last int64
	res, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want, Progress: func(d, total int64) { last = d }})
	if err != nil {
		t.Fatal(err)
	}
	path, got := res.Path, res.CID
	if r, _ := lastRange.Load().(string); r != "bytes="+strconv.Itoa(len(model)/3)+"-" {
		t.Errorf("resume sent Range %q", r)
	}
	if !got.Equals(want) || path != cache.Path(want) || last != int64(len(model)) {
		t.Errorf("pulled %s to %s (progress %d)", got, path, last)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, model) {
		t.Error("pulled bytes differ")
	}
	// Cached: no request.
	n := calls.Load()
	if _, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want}); err != nil || calls.Load() != n {
		t.Errorf("cached pull: err %v, %d requests", err, calls.Load()-n)
	}
}

func TestPullMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "x", time.Time{}, bytes.NewReader([]byte("GGUF not the model")))
	}))
	defer srv.Close()
	cache := Cache{Dir: t.TempDir()}
	_, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: CIDOf([]byte("other"))})
	if !errors.Is(err, ErrCIDMismatch) {
		t.Fatalf("err = %v, want ErrCIDMismatch", err)
	}
	if ents, _ := os.ReadDir(cache.Dir); len(ents) != 0 {
		t.Errorf("cache holds %d files after a mismatch", len(ents))
	}
}

// fakeHub is a local server that answers as the Hugging Face hub does:
// GET or HEAD /OWNER/REPO/resolve/REV/FILE is a 302 to the file on a CDN
// (a second server, as the hub's CDN is another host), with the file's
// SHA-256 quoted in X-Linked-Etag and ETag, its size in X-Linked-Size and
// X-Repo-Commit; the CDN serves the bytes with Range support.
type fakeHub struct {
	hub, cdn *httptest.Server
	files    map[string][]byte // by path: "OWNER/REPO/resolve/REV/FILE"
	// serve, if set, is what the CDN sends for a file instead of its bytes.
	serve func([]byte) []byte
	// cut, if > 0, is where the CDN drops its first answer.
	cut int

	cdnCalls atomic.Int32
	ranges   chan string // the Range of each CDN request
	// token, if set, makes every repository gated: the hub answers 401
	// unless the request carries it as a bearer token.
	token   string
	cdnAuth atomic.Int32 // CDN requests that carried an Authorization header
}

func newFakeHub(t *testing.T, files map[string][]byte) *fakeHub {
	h := &fakeHub{files: files, ranges: make(chan string, 16)}
	byHash := map[string][]byte{}
	for _, b := range files {
		sum := sha256.Sum256(b)
		byHash[hex.EncodeToString(sum[:])] = b
	}
	h.cdn = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := byHash[strings.TrimPrefix(r.URL.Path, "/xet/")]
		if !ok || r.URL.Query().Get("X-Amz-Signature") == "" {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		if r.Header.Get("Authorization") != "" {
			h.cdnAuth.Add(1)
		}
		if h.serve != nil {
			b = h.serve(b)
		}
		h.ranges <- r.Header.Get("Range")
		if h.cdnCalls.Add(1) == 1 && h.cut > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b[:h.cut])
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(h.cdn.Close)
	h.hub = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.token != "" && r.Header.Get("Authorization") != "Bearer "+h.token {
			w.Header().Set("X-Error-Code", "GatedRepo")
			http.Error(w, "Access to model tao/m is restricted.", http.StatusUnauthorized)
			return
		}
		b, ok := h.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.Error(w, "Entry not found", http.StatusNotFound)
			return
		}
		sum := sha256.Sum256(b)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		w.Header().Set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
		w.Header().Set("X-Linked-Etag", etag)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(b)))
		w.Header().Set("ETag", etag)
		http.Redirect(w, r, h.cdn.URL+"/xet/"+hex.EncodeToString(sum[:])+"?X-Amz-Signature=f00d", http.StatusFound)
	}))
	t.Cleanup(h.hub.Close)
	return h
}

// TestPullFromHub: hf://OWNER/REPO/FILE resolves to the hub's download
// path under $HF_ENDPOINT, here a fake hub; the pull follows the redirect
// to the CDN, resumes there with a Range request after a dropped
// connection, checks the bytes against X-Linked-Etag and X-Linked-Size,
// and a second pull finds the file cached by that SHA-256 without
// fetching it.
func TestPullFromHub(t *testing.T) {
	model := fakeGGUF(100_000, 1)
	h := newFakeHub(t, map[string][]byte{"tao/stories/resolve/v1/s15.gguf": model})
	h.cut = len(model) / 3
	t.Setenv("HF_ENDPOINT", h.hub.URL+"/")
	u, err := ResolveModelURL("hf://tao/stories@v1/s15.gguf")
	if err != nil || u != h.hub.URL+"/tao/stories/resolve/v1/s15.gguf" {
		t.Fatalf("resolved %q, %v", u, err)
	}
	cache := Cache{Dir: t.TempDir()}
	if _, err := cache.Pull(context.Background(), PullOptions{URL: u}); err == nil || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("first pull: %v, want the dropped connection and run again to resume", err)
	}
	res, err := cache.Pull(context.Background(), PullOptions{URL: u})
	path, id := res.Path, res.CID
	if err != nil || !id.Equals(CIDOf(model)) || path != cache.Path(id) || res.Cached {
		t.Fatalf("pull: %+v %v", res, err)
	}
	if first, second := <-h.ranges, <-h.ranges; first != "" || second != "bytes="+strconv.Itoa(h.cut)+"-" {
		t.Errorf("CDN got Range %q then %q, want none then from byte %d", first, second, h.cut)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, model) {
		t.Error("pulled bytes differ")
	}
	n := h.cdnCalls.Load()
	if res, err := cache.Pull(context.Background(), PullOptions{URL: u}); err != nil || res.Path != path || !res.CID.Equals(id) || !res.Cached || h.cdnCalls.Load() != n {
		t.Errorf("pull of a cached file: %+v %v, %d CDN requests", res, err, h.cdnCalls.Load()-n)
	}
	if ents, _ := os.ReadDir(cache.Dir); len(ents) != 2 || ents[0].Name() != pullRecordDir || ents[1].Name() != id.String()+".gguf" {
		t.Errorf("cache holds %v, want the model and the pull records alone", ents)
	}
	if u, _ := ResolveModelURL("hf://tao/stories/dir/m.gguf"); u != h.hub.URL+"/tao/stories/resolve/main/dir/m.gguf" {
		t.Errorf("default revision: %q", u)
	}
	for _, bad := range []string{"hf://tao/stories", "hf://tao//m.gguf", "ftp://x/y", "hf://tao/@/m.gguf"} {
		if _, err := ResolveModelURL(bad); err == nil {
			t.Errorf("%q resolved", bad)
		}
	}
}

// fakeGGUF is n bytes that start with the GGUF magic, the rest drawn from
// seed.
func fakeGGUF(n int, seed byte) []byte {
	b := make([]byte, n)
	copy(b, "GGUF")
	for i := 4; i < n; i++ {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// TestPullChecksum: a CDN that serves other bytes than the hub lists fails
// the pull with ErrChecksum and a message that says to run again, and
// leaves nothing in the cache, with or without --cid.
func TestPullChecksum(t *testing.T) {
	model := fakeGGUF(50_000, 2)
	flip := func(b []byte) []byte { c := bytes.Clone(b); c[len(c)/2] ^= 1; return c }
	for _, tc := range []struct {
		name  string
		serve func([]byte) []byte
		cid   bool
		early bool // the size differs: found before the body is read
	}{
		{"flipped byte", flip, false, false},
		{"flipped byte, with --cid", flip, true, false},
		{"shorter", func(b []byte) []byte { return b[:len(b)-1] }, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHub(t, map[string][]byte{"tao/m/resolve/main/m.gguf": model})
			h.serve = tc.serve
			o := PullOptions{URL: h.hub.URL + "/tao/m/resolve/main/m.gguf"}
			if tc.cid {
				o.CID = CIDOf(model)
			}
			var read int64
			o.Progress = func(done, _ int64) { read = done }
			cache := Cache{Dir: t.TempDir()}
			_, err := cache.Pull(context.Background(), o)
			if tc.early && read != 0 {
				t.Errorf("read %d bytes of a file whose size differs from the listed one", read)
			}
			if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "run again; if it fails again") {
				t.Fatalf("err = %v, want ErrChecksum saying to run again", err)
			}
			if ents, _ := os.ReadDir(cache.Dir); len(ents) != 0 {
				t.Errorf("cache holds %d files after a checksum mismatch", len(ents))
			}
		})
	}
	// A server that answers directly with a strong ETag of 64 hex digits:
	// the ETag is the SHA-256.
	sum := sha256.Sum256([]byte("other"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Write(model)
	}))
	defer srv.Close()
	if _, err := (Cache{Dir: t.TempDir()}).Pull(context.Background(), PullOptions{URL: srv.URL}); !errors.Is(err, ErrChecksum) {
		t.Errorf("direct answer with another sha256 ETag: err = %v, want ErrChecksum", err)
	}
}

// TestPullUnreachable: a closed port fails with ErrUnreachable, a message
// that names what to check and the offline way, and no partial file; a
// partial file from before is kept for a resume, and the message says so.
func TestPullUnreachable(t *testing.T) {
	u := "http://" + closedAddr(t) + "/tao/m/resolve/main/m.gguf"
	cache := Cache{Dir: t.TempDir()}
	_, err := cache.Pull(context.Background(), PullOptions{URL: u})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	for _, want := range []string{"connection refused", "check the URL", "HTTPS_PROXY", "copy the .gguf file", "give its path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "resume") {
		t.Errorf("message %q offers a resume with nothing downloaded", err)
	}
	if ents, _ := os.ReadDir(cache.Dir); len(ents) != 0 {
		t.Errorf("cache holds %d files after an unreachable host", len(ents))
	}
	key := sha256.Sum256([]byte(u))
	partial := filepath.Join(cache.Dir, ".partial-"+hex.EncodeToString(key[:8])+".gguf")
	if err := os.WriteFile(partial, []byte("GGUF"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := saveResumeValidator(partial, `"v1"`); err != nil {
		t.Fatal(err)
	}
	_, err = cache.Pull(context.Background(), PullOptions{URL: u})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "resume from the 4 bytes") {
		t.Errorf("with a partial file: %v", err)
	}
	if b, _ := os.ReadFile(partial); string(b) != "GGUF" {
		t.Errorf("partial file now %q", b)
	}
	// Without a validator, a plain URL's partial would not be resumed:
	// it is discarded, and the message offers no resume.
	os.Remove(validatorPath(partial))
	_, err = cache.Pull(context.Background(), PullOptions{URL: u})
	if !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "resume") {
		t.Errorf("with a partial file and no validator: %v", err)
	}
	if fileExists(partial) {
		t.Error("a partial file without a validator was kept")
	}
}

// TestPullTLSHandshakeTimeout: a host that accepts the connection but
// never answers the TLS handshake cannot be reached either.
func TestPullTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent
		}
	}()
	cl := &http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 200 * time.Millisecond}}
	_, err = Cache{Dir: t.TempDir()}.Pull(context.Background(), PullOptions{URL: "https://" + ln.Addr().String() + "/m.gguf", Client: cl})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "TLS handshake timeout") {
		t.Fatalf("err = %v, want ErrUnreachable naming the TLS handshake timeout", err)
	}
	// The caller's own deadline is not the host's fault.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Cache{Dir: t.TempDir()}.Pull(ctx, PullOptions{URL: "https://" + ln.Addr().String() + "/m.gguf"})
	if err == nil || errors.Is(err, ErrUnreachable) {
		t.Fatalf("with the caller's deadline: %v, want an error that is not ErrUnreachable", err)
	}
}

// closedAddr is a 127.0.0.1 address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestPullGated: a gated repository answers 401 without a token, and the
// error says to set HF_TOKEN; with the token (HubToken reads it for the
// hub's host only) the pull succeeds, and the CDN, another host, never
// gets the token.
func TestPullGated(t *testing.T) {
	model := []byte("GGUF gated model bytes")
	h := newFakeHub(t, map[string][]byte{"tao/m/resolve/main/m.gguf": model})
	h.token = "hf_secret"
	t.Setenv("HF_ENDPOINT", h.hub.URL)
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HUGGING_FACE_HUB_TOKEN", "")
	u, err := ResolveModelURL("hf://tao/m/m.gguf")
	if err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	_, err = c.Pull(t.Context(), PullOptions{URL: u, Token: HubToken(u)})
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "set HF_TOKEN") {
		t.Fatalf("without a token: %v; want a 401 that says to set HF_TOKEN", err)
	}
	t.Setenv("HF_TOKEN", "hf_wrong")
	_, err = c.Pull(t.Context(), PullOptions{URL: u, Token: HubToken(u)})
	if err == nil || !strings.Contains(err.Error(), "token in HF_TOKEN was refused") {
		t.Fatalf("with a wrong token: %v; want the token named as refused", err)
	}
	t.Setenv("HF_TOKEN", "hf_secret")
	if HubToken(h.cdn.URL+"/xet/x") != "" || HubToken("https://example.org/m.gguf") != "" {
		t.Fatal("HubToken gives the token for a host other than the hub")
	}
	if _, err := c.Pull(t.Context(), PullOptions{URL: u, Token: HubToken(u)}); err != nil {
		t.Fatalf("with the token: %v", err)
	}
	if n := h.cdnAuth.Load(); n != 0 {
		t.Fatalf("the CDN got the token on %d requests", n)
	}
}

// TestPullStatusHints: a 404 or 403 from a plain server gets a hint about
// that server, not the hub's repositories and tokens; from the hub
// ($HF_ENDPOINT) the hub's hints.
func TestPullStatusHints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/private.gguf") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	for _, c := range []struct {
		endpoint, file, want string
	}{
		{"", "missing.gguf", "the server has no file at this path: check the URL"},
		{"", "private.gguf", "tao sends a token only to the Hugging Face hub"},
		{srv.URL, "missing.gguf", "check the owner, repository, revision and file name"},
		{srv.URL, "private.gguf", "set HF_TOKEN"},
	} {
		t.Setenv("HF_ENDPOINT", c.endpoint)
		t.Setenv("HF_TOKEN", "")
		cache := Cache{Dir: t.TempDir()}
		_, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL + "/m/" + c.file})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("endpoint %q, %s: %v, want %q", c.endpoint, c.file, err, c.want)
		}
	}
}
