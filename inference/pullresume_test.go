package inference

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// resumeServer serves one file as a plain web server does (ServeContent:
// Range, If-Range, conditional requests) with the validators given, and
// can drop its next answer with a body after some bytes. It counts the
// body bytes it sends and keeps each request's Range and If-Range and the
// status answered.
type resumeServer struct {
	*httptest.Server
	mu       sync.Mutex // guards the fields below
	body     []byte
	etag     string    // "": none sent
	modified time.Time // zero: no Last-Modified
	cut      int       // > 0: the next answer sends this many bytes of a 200, then drops
	// ignoreIfRange makes the server honour Range but not If-Range, as
	// a broken server or proxy might.
	ignoreIfRange bool
	sent          int // body bytes sent
	reqs          []resumeRequest
}

type resumeRequest struct {
	rng, ifRange string
	status       int
}

func newResumeServer(t *testing.T, body []byte, etag string, modified time.Time) *resumeServer {
	s := &resumeServer{body: body, etag: etag, modified: modified}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, etag, modified, cut, ignore := s.body, s.etag, s.modified, s.cut, s.ignoreIfRange
		s.cut = 0
		i := len(s.reqs)
		s.reqs = append(s.reqs, resumeRequest{rng: r.Header.Get("Range"), ifRange: r.Header.Get("If-Range")})
		s.mu.Unlock()
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		if cut > 0 {
			if !modified.IsZero() {
				w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:cut])
			w.(http.Flusher).Flush()
			s.mu.Lock()
			s.sent += cut
			s.reqs[i].status = http.StatusOK
			s.mu.Unlock()
			panic(http.ErrAbortHandler)
		}
		if ignore {
			r.Header.Del("If-Range")
		}
		cw := &countingWriter{ResponseWriter: w}
		http.ServeContent(cw, r, "", modified, bytes.NewReader(body))
		s.mu.Lock()
		s.sent += cw.n
		s.reqs[i].status = cw.status
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *resumeServer) set(body []byte, etag string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.modified = body, etag, modified
}

func (s *resumeServer) dropAt(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = n
}

// last is the last request, and the body bytes sent so far.
func (s *resumeServer) last() (resumeRequest, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1], s.sent
}

type countingWriter struct {
	http.ResponseWriter
	n, status int
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += n
	return n, err
}

// partialOf is the partial download of rawURL in c.
func partialOf(c Cache, rawURL string) string {
	key := sha256.Sum256([]byte(rawURL))
	return filepath.Join(c.Dir, ".partial-"+hex.EncodeToString(key[:8])+".gguf")
}

// onlyModel fails unless c.Dir holds the model id's file and the pull
// records alone: no partial download, no validator, no temporary file.
func onlyModel(t *testing.T, c Cache, name string) {
	t.Helper()
	ents, _ := os.ReadDir(c.Dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != pullRecordDir || names[1] != name {
		t.Errorf("cache holds %v, want the model %s and the pull records alone", names, name)
	}
}

// TestPullResumeIfRange: an interrupted download of a plain URL keeps the
// answer's validator (a strong ETag, else Last-Modified) next to the
// partial file and resumes with Range and If-Range. Unchanged, the server
// sends the rest (206) and no byte twice; changed, it sends the whole new
// file (200), which replaces the old bytes from byte 0: the pull gets the
// new file's CID and says so. Both leave no partial file or validator.
func TestPullResumeIfRange(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	v1, v2 := fakeGGUF(60_000, 5), fakeGGUF(45_000, 6)
	cut := 20_000
	for _, tc := range []struct {
		name         string
		etag1, etag2 string
		mod1, mod2   time.Time
		want         string // the If-Range sent
	}{
		{name: "strong-etag", etag1: `"v1"`, etag2: `"v2"`, want: `"v1"`},
		{name: "strong-etag-and-last-modified", etag1: `"v1"`, etag2: `"v2"`, mod1: t0, mod2: t0, want: `"v1"`},
		{name: "last-modified", mod1: t0, mod2: t0.Add(time.Hour), want: t0.Format(http.TimeFormat)},
		{name: "weak-etag-and-last-modified", etag1: `W/"v1"`, etag2: `W/"v2"`, mod1: t0, mod2: t0.Add(time.Hour), want: t0.Format(http.TimeFormat)},
	} {
		for _, changed := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "/unchanged", true: "/changed"}[changed], func(t *testing.T) {
				srv := newResumeServer(t, v1, tc.etag1, tc.mod1)
				srv.dropAt(cut)
				u := srv.URL + "/m.gguf"
				c := Cache{Dir: t.TempDir()}
				if _, err := c.Pull(t.Context(), PullOptions{URL: u}); err == nil || !strings.Contains(err.Error(), "run again to resume") {
					t.Fatalf("interrupted pull: %v, want run again to resume", err)
				}
				partial := partialOf(c, u)
				if fi, err := os.Stat(partial); err != nil || fi.Size() != int64(cut) {
					t.Fatalf("partial download: %v, %v", fi, err)
				}
				var logs bytes.Buffer
				o := PullOptions{URL: u, Log: slog.New(slog.NewTextHandler(&logs, nil))}
				if v := loadResumeValidator(partial, o.Log); v != tc.want {
					t.Fatalf("validator kept %q, want %q", v, tc.want)
				}

				want := v1
				if changed {
					srv.set(v2, tc.etag2, tc.mod2)
					want = v2
				}
				res, err := c.Pull(t.Context(), o)
				if err != nil || !res.CID.Equals(CIDOf(want)) || res.Cached {
					t.Fatalf("resumed pull: %+v, %v; want %s", res, err, CIDOf(want))
				}
				if b, _ := os.ReadFile(res.Path); !bytes.Equal(b, want) {
					t.Fatal("pulled bytes differ from the server's file")
				}
				req, sent := srv.last()
				if req.rng != "bytes="+strconv.Itoa(cut)+"-" || req.ifRange != tc.want {
					t.Errorf("resume sent Range %q, If-Range %q; want from byte %d, If-Range %q", req.rng, req.ifRange, cut, tc.want)
				}
				if !changed && (req.status != http.StatusPartialContent || sent != len(v1)) {
					t.Errorf("unchanged: answered %d, %d bytes served in all; want 206 and %d", req.status, sent, len(v1))
				}
				if changed {
					if req.status != http.StatusOK || sent != cut+len(v2) {
						t.Errorf("changed: answered %d, %d bytes served in all; want 200 and %d", req.status, sent, cut+len(v2))
					}
					if !strings.Contains(logs.String(), "the file changed on the server since the partial download began; starting over from byte 0") {
						t.Errorf("no warning that the file changed: %q", logs.String())
					}
				} else if logs.Len() != 0 {
					t.Errorf("warnings on an unchanged resume: %q", logs.String())
				}
				onlyModel(t, c, res.CID.String()+".gguf")
			})
		}
	}
}

// TestPullResumeNoValidator: a partial download without a validator (a
// server that sends only a weak ETag, or none; an unreadable validator
// file) is not resumed for a plain URL: the pull starts over from byte 0
// without Range and says so; with --cid, which catches a changed file, it
// resumes with a bare Range.
func TestPullResumeNoValidator(t *testing.T) {
	v1 := fakeGGUF(60_000, 7)
	cut := 20_000
	for _, tc := range []struct {
		name    string
		etag    string
		damaged bool // the validator file is garbage
		cid     bool
	}{
		{name: "weak-etag", etag: `W/"v1"`},
		{name: "none"},
		{name: "weak-etag-with-cid", etag: `W/"v1"`, cid: true},
		{name: "damaged-validator", etag: `"v1"`, damaged: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newResumeServer(t, v1, tc.etag, time.Time{})
			srv.dropAt(cut)
			u := srv.URL + "/m.gguf"
			c := Cache{Dir: t.TempDir()}
			o := PullOptions{URL: u}
			if tc.cid {
				o.CID = CIDOf(v1)
			}
			_, err := c.Pull(t.Context(), o)
			partial := partialOf(c, u)
			switch {
			case tc.cid || tc.damaged:
				if err == nil || !strings.Contains(err.Error(), "run again to resume") {
					t.Fatalf("interrupted pull: %v, want run again to resume", err)
				}
			default:
				// Not resumable: nothing kept, and no resume offered.
				if err == nil || strings.Contains(err.Error(), "run again to resume") || !strings.Contains(err.Error(), "from the start") || fileExists(partial) {
					t.Fatalf("interrupted pull: %v (partial kept: %v), want it discarded and run again from the start", err, fileExists(partial))
				}
				if err := os.WriteFile(partial, v1[:cut], 0o644); err != nil { // as an older tao left it
					t.Fatal(err)
				}
			}
			if fileExists(validatorPath(partial)) != tc.damaged {
				t.Fatalf("validator file kept: %v", fileExists(validatorPath(partial)))
			}
			if tc.damaged {
				os.WriteFile(validatorPath(partial), []byte(`{"version":1,"if_range":"\"v1\"\r\nX: y"}`), 0o644)
			}
			var logs bytes.Buffer
			o.Log = slog.New(slog.NewTextHandler(&logs, nil))
			res, err := c.Pull(t.Context(), o)
			if err != nil || !res.CID.Equals(CIDOf(v1)) {
				t.Fatalf("second pull: %+v, %v", res, err)
			}
			req, sent := srv.last()
			if tc.cid {
				if req.rng != "bytes="+strconv.Itoa(cut)+"-" || req.ifRange != "" || req.status != http.StatusPartialContent || sent != len(v1) {
					t.Errorf("with --cid: Range %q, If-Range %q, answered %d, %d bytes served; want a bare Range, 206, %d bytes", req.rng, req.ifRange, req.status, sent, len(v1))
				}
			} else {
				if req.rng != "" || req.ifRange != "" || req.status != http.StatusOK || sent != cut+len(v1) {
					t.Errorf("without a validator: Range %q, If-Range %q, answered %d, %d bytes served; want a fresh GET, 200, %d bytes", req.rng, req.ifRange, req.status, sent, cut+len(v1))
				}
				for _, w := range []string{"starting the download over from byte 0", "partial_bytes=20000"} {
					if !strings.Contains(logs.String(), w) {
						t.Errorf("log %q lacks %q", logs.String(), w)
					}
				}
				if tc.damaged && !strings.Contains(logs.String(), "unreadable validator") {
					t.Errorf("log %q does not name the damaged validator", logs.String())
				}
			}
			onlyModel(t, c, res.CID.String()+".gguf")
		})
	}
}

// TestPullResumeIgnoredIfRange: a server that honours Range but ignores
// If-Range resumes a changed file with a 206 whose ETag is not the one
// sent: the pull discards the partial download instead of appending, and
// the next one downloads the new file whole.
func TestPullResumeIgnoredIfRange(t *testing.T) {
	v1, v2 := fakeGGUF(60_000, 8), fakeGGUF(60_000, 9)
	srv := newResumeServer(t, v1, `"v1"`, time.Time{})
	srv.ignoreIfRange = true
	srv.dropAt(20_000)
	u := srv.URL + "/m.gguf"
	c := Cache{Dir: t.TempDir()}
	if _, err := c.Pull(t.Context(), PullOptions{URL: u}); err == nil {
		t.Fatal("interrupted pull succeeded")
	}
	srv.set(v2, `"v2"`, time.Time{})
	_, err := c.Pull(t.Context(), PullOptions{URL: u})
	if err == nil || !strings.Contains(err.Error(), "another version of the file") || !strings.Contains(err.Error(), "run again to download the file from the start") {
		t.Fatalf("resume with an ignored If-Range: %v", err)
	}
	if p := partialOf(c, u); fileExists(p) || fileExists(validatorPath(p)) {
		t.Fatal("the partial download or its validator was kept")
	}
	res, err := c.Pull(t.Context(), PullOptions{URL: u})
	if err != nil || !res.CID.Equals(CIDOf(v2)) {
		t.Fatalf("pull after the discard: %+v, %v", res, err)
	}
	onlyModel(t, c, res.CID.String()+".gguf")
}

func TestIfRangeValidator(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	lm, date := t0.Format(http.TimeFormat), t0.Add(time.Hour).Format(http.TimeFormat)
	for _, tc := range []struct {
		etag, lm, date, want string
	}{
		{`"a"`, lm, date, `"a"`},
		{`W/"a"`, lm, date, lm},
		{`W/"a"`, "", date, ""},
		{"", lm, date, lm},
		{"", lm, lm, ""}, // modified within the second of the answer: weak
		{"", lm, "", ""}, // no Date: not known to be strong
		{`"a` + "\x01" + `"`, "", date, ""},
		{"", "yesterday", date, ""},
		{`"` + strings.Repeat("a", maxValidatorLen) + `"`, "", date, ""},
	} {
		h := http.Header{}
		for k, v := range map[string]string{"ETag": tc.etag, "Last-Modified": tc.lm, "Date": tc.date} {
			if v != "" {
				h.Set(k, v)
			}
		}
		if got := ifRangeValidator(h); got != tc.want {
			t.Errorf("ETag %q, Last-Modified %q, Date %q: %q, want %q", tc.etag, tc.lm, tc.date, got, tc.want)
		}
	}
}

func TestDecodeResumeValidator(t *testing.T) {
	for _, v := range []string{`"v1"`, `"` + strings.Repeat("x", 64) + `"`, "Sat, 01 Mar 2025 12:00:00 GMT"} {
		b, err := encodeResumeValidator(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decodeResumeValidator(b); err != nil || got != v {
			t.Errorf("round trip of %q: %q, %v", v, got, err)
		}
	}
	for _, bad := range []string{
		``,
		`null`,
		`{}`,
		`{"version":2,"if_range":"\"v1\""}`,
		`{"version":1,"if_range":""}`,
		`{"version":1,"if_range":"W/\"v1\""}`,
		`{"version":1,"if_range":"\"v1"}`,
		`{"version":1,"if_range":"\"v1\"\r\nX: y"}`,
		`{"version":1,"if_range":"tomorrow"}`,
		`{"version":1,"if_range":"\"v1\"","extra":1}`,
		`{"version":1,"if_range":"\"v1\""} {}`,
		`{"version":1,"if_range":"\"` + strings.Repeat("x", maxResumeValidatorSize) + `\""}`,
	} {
		if v, err := decodeResumeValidator([]byte(bad)); err == nil {
			t.Errorf("%.60q decoded to %q", bad, v)
		}
	}
}

// FuzzDecodeResumeValidator: any bytes decode without a panic, and what
// is accepted is a strong entity tag or an HTTP date, a header value that
// cannot split a header, and encodes back to the same.
func FuzzDecodeResumeValidator(f *testing.F) {
	for _, v := range []string{`"v1"`, "Sat, 01 Mar 2025 12:00:00 GMT"} {
		b, _ := encodeResumeValidator(v)
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"if_range":"W/\"v1\""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeResumeValidator(b)
		if err != nil {
			return
		}
		if !validHeaderValue(v) {
			t.Fatalf("accepted %q, not a header value", v)
		}
		if _, err := http.ParseTime(v); err != nil && !(validETag(v) && strings.HasPrefix(v, `"`)) {
			t.Fatalf("accepted %q, neither a strong entity tag nor an HTTP date", v)
		}
		e, err := encodeResumeValidator(v)
		if err != nil {
			t.Fatal(err)
		}
		if v2, err := decodeResumeValidator(e); err != nil || v2 != v {
			t.Fatalf("re-encoded %q decodes to %q, %v", v, v2, err)
		}
	})
}
