package inference

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
)

// fileServer serves one file at any path, as a plain web server (nginx,
// S3, GitHub releases) does: ServeContent with the validators the server
// kind sends, answering conditional and Range requests. It counts the
// answers that carried the file's bytes (200 or 206).
type fileServer struct {
	*httptest.Server
	mu       sync.Mutex // guards the fields below
	body     []byte
	etag     string    // "": none sent
	modified time.Time // zero: no Last-Modified
	bodies   int       // answers that carried bytes
	conds    []string  // the conditional headers of each request
}

func newFileServer(t *testing.T, body []byte, etag string, modified time.Time) *fileServer {
	s := &fileServer{body: body, etag: etag, modified: modified}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, etag, modified := s.body, s.etag, s.modified
		s.conds = append(s.conds, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		s.mu.Unlock()
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		sw := &statusWriter{ResponseWriter: w}
		http.ServeContent(sw, r, "", modified, bytes.NewReader(body))
		if sw.wrote > 0 {
			s.mu.Lock()
			s.bodies++
			s.mu.Unlock()
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// set replaces the file served.
func (s *fileServer) set(body []byte, etag string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.modified = body, etag, modified
}

// served is the number of answers that carried bytes, and the last
// request's conditional headers ("If-None-Match|If-Modified-Since").
func (s *fileServer) served() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies, s.conds[len(s.conds)-1]
}

type statusWriter struct {
	http.ResponseWriter
	wrote int
}

func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.wrote += n
	return n, err
}

// TestPullUnchanged: a plain URL pulled again is asked for with the
// validators of its last pull, and an unchanged file (304) is not sent
// again, also to a new Cache over the same directory (a restart); a
// changed file downloads, gets its new CID and replaces the record; a
// server that sends no validators sends the file every time.
func TestPullUnchanged(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	v1, v2 := fakeGGUF(40_000, 3), fakeGGUF(40_000, 4)
	for _, tc := range []struct {
		name           string
		etag1, etag2   string
		mod1, mod2     time.Time
		wantCond       string // the second request's conditional headers
		noValidators   bool
		downloadsAgain bool
	}{
		{name: "etag", etag1: `"v1"`, etag2: `"v2"`, wantCond: `"v1"|`},
		{name: "weak-etag", etag1: `W/"v1"`, etag2: `W/"v2"`, wantCond: `W/"v1"|`},
		{name: "etag-and-last-modified", etag1: `"v1"`, etag2: `"v2"`, mod1: t0, mod2: t0.Add(time.Hour), wantCond: `"v1"|`},
		{name: "last-modified", mod1: t0, mod2: t0.Add(time.Hour), wantCond: "|" + t0.Format(http.TimeFormat)},
		{name: "no-validators", wantCond: "|", downloadsAgain: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFileServer(t, v1, tc.etag1, tc.mod1)
			dir := t.TempDir()
			u := srv.URL + "/models/m.gguf"
			res, err := Cache{Dir: dir}.Pull(t.Context(), PullOptions{URL: u})
			if err != nil || res.Cached || !res.CID.Equals(CIDOf(v1)) {
				t.Fatalf("first pull: %+v, %v", res, err)
			}
			if n, cond := srv.served(); n != 1 || cond != "|" {
				t.Fatalf("first pull: %d bodies served, conditions %q", n, cond)
			}

			// A restart: a new Cache over the same directory.
			var progress int64
			res2, err := Cache{Dir: dir}.Pull(t.Context(), PullOptions{URL: u, Progress: func(d, _ int64) { progress = d }})
			if err != nil || res2.Path != res.Path || !res2.CID.Equals(res.CID) {
				t.Fatalf("second pull: %+v, %v; want %+v", res2, err, res)
			}
			n, cond := srv.served()
			if cond != tc.wantCond {
				t.Errorf("second pull sent conditions %q, want %q", cond, tc.wantCond)
			}
			if tc.downloadsAgain {
				if n != 2 || res2.Cached {
					t.Fatalf("second pull of a file without validators: %d bodies served, cached %v; want it downloaded again", n, res2.Cached)
				}
				return
			}
			if n != 1 || !res2.Cached || progress != 0 {
				t.Fatalf("second pull of an unchanged file: %d bodies served (want 1), cached %v, progress %d", n, res2.Cached, progress)
			}

			srv.set(v2, tc.etag2, tc.mod2)
			res3, err := Cache{Dir: dir}.Pull(t.Context(), PullOptions{URL: u})
			if err != nil || res3.Cached || !res3.CID.Equals(CIDOf(v2)) {
				t.Fatalf("pull of a changed file: %+v, %v; want %s downloaded", res3, err, CIDOf(v2))
			}
			if n, _ := srv.served(); n != 2 {
				t.Fatalf("pull of a changed file: %d bodies served, want 2", n)
			}
			if b, _ := os.ReadFile(res3.Path); !bytes.Equal(b, v2) {
				t.Error("changed file: cached bytes differ")
			}
			if !fileExists(res.Path) {
				t.Error("the first version left the cache")
			}
			res4, err := Cache{Dir: dir}.Pull(t.Context(), PullOptions{URL: u})
			if n, _ := srv.served(); err != nil || !res4.Cached || !res4.CID.Equals(res3.CID) || n != 2 {
				t.Fatalf("pull after the change: %+v, %v, %d bodies served; want the new CID from the cache", res4, err, n)
			}
		})
	}
}

// TestPullRecordEdges: a record whose model has left the cache, or that is
// damaged, sends the file again (with a warning for the damaged one) and
// is rewritten; a record whose CID is not the --cid asked for fails on the
// 304 with ErrCIDMismatch rather than download.
func TestPullRecordEdges(t *testing.T) {
	model := fakeGGUF(30_000, 5)
	srv := newFileServer(t, model, `"e1"`, time.Time{})
	c := Cache{Dir: t.TempDir()}
	u := srv.URL + "/m.gguf"
	res, err := c.Pull(t.Context(), PullOptions{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	rec := c.pullRecordPath(u)
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := pullRecord{URL: u, CID: res.CID, ETag: `"e1"`, Size: int64(len(model))}
	if got, err := decodePullRecord(b); err != nil || !equalRecords(got, want) {
		t.Fatalf("record %s: %+v, %v; want %+v", b, got, err, want)
	}

	t.Run("model-removed", func(t *testing.T) {
		if err := os.Remove(res.Path); err != nil {
			t.Fatal(err)
		}
		n0, _ := srv.served()
		res2, err := c.Pull(t.Context(), PullOptions{URL: u})
		n, cond := srv.served()
		if err != nil || res2.Cached || n != n0+1 || cond != "|" || !fileExists(res.Path) {
			t.Fatalf("%+v, %v, %d bodies served, conditions %q; want an unconditional download", res2, err, n-n0, cond)
		}
	})

	for _, damaged := range [][]byte{[]byte("{\"version\":1,"), []byte("\x00\xff"), []byte(`{"version":99,"url":"x","cid":"y","size":1}`), bytes.Repeat([]byte(" "), maxPullRecordSize+10)} {
		if err := os.WriteFile(rec, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		n0, _ := srv.served()
		res2, err := c.Pull(t.Context(), PullOptions{URL: u, Log: slog.New(slog.NewTextHandler(&logs, nil))})
		n, _ := srv.served()
		if err != nil || res2.Cached || n != n0+1 {
			t.Fatalf("damaged record %q: %+v, %v, %d bodies served; want a download", damaged[:min(len(damaged), 20)], res2, err, n-n0)
		}
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "no cached model is affected") {
			t.Errorf("damaged record: log %q, want a warning", logs.String())
		}
		if b, _ := os.ReadFile(rec); !bytes.HasPrefix(b, []byte(`{"version":1,`)) {
			t.Errorf("damaged record not rewritten: %q", b[:min(len(b), 20)])
		}
	}

	other := CIDOf([]byte("another model"))
	n0, _ := srv.served()
	_, err = c.Pull(t.Context(), PullOptions{URL: u, CID: other})
	if n, _ := srv.served(); !errors.Is(err, ErrCIDMismatch) || n != n0 || !strings.Contains(err.Error(), "check the expected CID") {
		t.Fatalf("--cid of another model, file unchanged: %v, %d bodies served; want ErrCIDMismatch and no download", err, n-n0)
	}
	if ents, _ := os.ReadDir(c.Dir); len(ents) != 2 {
		t.Errorf("cache holds %v, want the model and the records", ents)
	}
}

// TestPullUnchangedContradiction: a 304 that lists a SHA-256 other than
// the record's CID is trusted neither way: the pull fails saying to run
// again, drops the record, and the next pull downloads.
func TestPullUnchangedContradiction(t *testing.T) {
	model := fakeGGUF(20_000, 6)
	other := sha256.Sum256([]byte("another file"))
	var bodies atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"e"`)
		if r.Header.Get("If-None-Match") != "" {
			w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(other[:])+`"`)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		bodies.Add(1)
		w.Write(model)
	}))
	defer srv.Close()
	c := Cache{Dir: t.TempDir()}
	u := srv.URL + "/m.gguf"
	if _, err := c.Pull(t.Context(), PullOptions{URL: u}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Pull(t.Context(), PullOptions{URL: u})
	if err == nil || !strings.Contains(err.Error(), "record discarded): run again") || fileExists(c.pullRecordPath(u)) {
		t.Fatalf("contradictory 304: %v, record kept %v; want an error saying to run again and the record dropped", err, fileExists(c.pullRecordPath(u)))
	}
	if res, err := c.Pull(t.Context(), PullOptions{URL: u}); err != nil || res.Cached || bodies.Load() != 2 || !fileExists(res.Path) {
		t.Fatalf("pull after: %+v, %v, %d bodies; want a download", res, err, bodies.Load())
	}
}

func equalRecords(a, b pullRecord) bool {
	return a.URL == b.URL && a.CID.Equals(b.CID) && a.ETag == b.ETag && a.LastModified == b.LastModified && a.Size == b.Size
}

var recordCID = CIDOf([]byte("GGUF")).String()

// recordCases are pull record files, accepted or not.
var recordCases = []struct {
	name string
	in   string
	ok   bool
}{
	{"etag", `{"version":1,"url":"https://x/m.gguf","cid":"` + recordCID + `","etag":"\"abc\"","size":4}`, true},
	{"weak-etag", `{"version":1,"url":"https://x/m.gguf","cid":"` + recordCID + `","etag":"W/\"abc\"","size":4}`, true},
	{"last-modified", `{"version":1,"url":"https://x/m.gguf","cid":"` + recordCID + `","last_modified":"Sat, 01 Mar 2025 12:00:00 GMT","size":4}` + "\n", true},
	{"no-validators", `{"version":1,"url":"u","cid":"` + recordCID + `","size":0}`, true},
	{"empty", ``, false},
	{"null", `null`, false},
	{"truncated", `{"version":1,"url":"u"`, false},
	{"trailing", `{"version":1,"url":"u","cid":"` + recordCID + `","size":4}{}`, false},
	{"unknown-field", `{"version":1,"url":"u","cid":"` + recordCID + `","size":4,"x":1}`, false},
	{"version-0", `{"url":"u","cid":"` + recordCID + `","size":4}`, false},
	{"version-2", `{"version":2,"url":"u","cid":"` + recordCID + `","size":4}`, false},
	{"no-url", `{"version":1,"cid":"` + recordCID + `","size":4}`, false},
	{"bad-cid", `{"version":1,"url":"u","cid":"bafy","size":4}`, false},
	{"cidv0", `{"version":1,"url":"u","cid":"QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG","size":4}`, false},
	{"dag-pb-cid", `{"version":1,"url":"u","cid":"` + cid.NewCidV1(cid.DagProtobuf, CIDOf(nil).Hash()).String() + `","size":4}`, false},
	{"negative-size", `{"version":1,"url":"u","cid":"` + recordCID + `","size":-1}`, false},
	{"huge-size", `{"version":1,"url":"u","cid":"` + recordCID + `","size":1e30}`, false},
	{"unquoted-etag", `{"version":1,"url":"u","cid":"` + recordCID + `","etag":"abc","size":4}`, false},
	{"etag-newline", `{"version":1,"url":"u","cid":"` + recordCID + `","etag":"\"a\r\nX-Evil: 1\"","size":4}`, false},
	{"bad-date", `{"version":1,"url":"u","cid":"` + recordCID + `","last_modified":"yesterday","size":4}`, false},
	{"date-newline", `{"version":1,"url":"u","cid":"` + recordCID + `","last_modified":"Sat, 01 Mar 2025 12:00:00 GMT\n","size":4}`, false},
}

func TestDecodePullRecord(t *testing.T) {
	for _, tc := range recordCases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodePullRecord([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("decode: %+v, %v; want ok %v", r, err, tc.ok)
			}
			if err != nil {
				return
			}
			b, err := encodePullRecord(r)
			if err != nil {
				t.Fatal(err)
			}
			r2, err := decodePullRecord(b)
			if err != nil || !equalRecords(r, r2) {
				t.Fatalf("re-decoded %s: %+v, %v; want %+v", b, r2, err, r)
			}
		})
	}
	want := `{"version":1,"url":"u","cid":"` + recordCID + `","etag":"\"e\"","size":4}` + "\n"
	if got, err := encodePullRecord(pullRecord{URL: "u", CID: CIDOf([]byte("GGUF")), ETag: `"e"`, Size: 4}); err != nil || string(got) != want {
		t.Errorf("encoding: got %s, %v; want %s", got, err, want)
	}
}

// FuzzDecodePullRecord: no input panics or is accepted without
// re-encoding to a record that decodes to the same value, and an accepted
// record's header values can be sent (net/http accepts them).
func FuzzDecodePullRecord(f *testing.F) {
	for _, tc := range recordCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodePullRecord(b)
		if err != nil {
			return
		}
		enc, err := encodePullRecord(r)
		if err != nil {
			t.Fatalf("encode %+v: %v", r, err)
		}
		r2, err := decodePullRecord(enc)
		if err != nil || !equalRecords(r, r2) {
			t.Fatalf("%q decoded to %+v, re-encoded to %q, decoded to %+v, %v", b, r, enc, r2, err)
		}
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.condition(req.Header)
		for k, vs := range req.Header {
			for _, v := range vs {
				if !validHeaderValue(v) {
					t.Fatalf("record %q sends %s: %q", b, k, v)
				}
			}
		}
	})
}

// TestPullRecordPath: records live in their own directory, which List
// skips, so a cache with records lists its models alone.
func TestPullRecordPath(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	if err := c.savePullRecord(pullRecord{URL: "https://x/m.gguf", CID: CIDOf([]byte("GGUF")), ETag: `"e"`, Size: 4}); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(c.pullRecordPath("https://x/m.gguf")) != filepath.Join(c.Dir, pullRecordDir) {
		t.Errorf("record at %s", c.pullRecordPath("https://x/m.gguf"))
	}
	if l, err := c.List(); err != nil || len(l) != 0 {
		t.Errorf("List = %v, %v; want no models", l, err)
	}
}
