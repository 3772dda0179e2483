package inference

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
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
	if _, _, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want}); err == nil {
		t.Fatal("first pull succeeded despite the dropped connection")
	}
	var last int64
	path, got, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want, Progress: func(d, total int64) { last = d }})
	if err != nil {
		t.Fatal(err)
	}
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
	if _, _, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: want}); err != nil || calls.Load() != n {
		t.Errorf("cached pull: err %v, %d requests", err, calls.Load()-n)
	}
}

func TestPullMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "x", time.Time{}, bytes.NewReader([]byte("GGUF not the model")))
	}))
	defer srv.Close()
	cache := Cache{Dir: t.TempDir()}
	_, _, err := cache.Pull(context.Background(), PullOptions{URL: srv.URL, CID: CIDOf([]byte("other"))})
	if !errors.Is(err, ErrCIDMismatch) {
		t.Fatalf("err = %v, want ErrCIDMismatch", err)
	}
	if ents, _ := os.ReadDir(cache.Dir); len(ents) != 0 {
		t.Errorf("cache holds %d files after a mismatch", len(ents))
	}
}

// TestPullFromHub: hf://OWNER/REPO/FILE resolves to the hub's download
// path under $HF_ENDPOINT, here a local server laid out as the hub is.
func TestPullFromHub(t *testing.T) {
	model, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tao/stories/resolve/v1/s15.gguf" {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "s15.gguf", time.Time{}, bytes.NewReader(model))
	}))
	defer srv.Close()
	t.Setenv("HF_ENDPOINT", srv.URL+"/")
	u, err := ResolveModelURL("hf://tao/stories@v1/s15.gguf")
	if err != nil || u != srv.URL+"/tao/stories/resolve/v1/s15.gguf" {
		t.Fatalf("resolved %q, %v", u, err)
	}
	path, id, err := Cache{Dir: t.TempDir()}.Pull(context.Background(), PullOptions{URL: u})
	if err != nil || !id.Equals(CIDOf(model)) || path == "" {
		t.Fatalf("pull: %s %s %v", path, id, err)
	}
	if u, _ := ResolveModelURL("hf://tao/stories/dir/m.gguf"); u != srv.URL+"/tao/stories/resolve/main/dir/m.gguf" {
		t.Errorf("default revision: %q", u)
	}
	for _, bad := range []string{"hf://tao/stories", "hf://tao//m.gguf", "ftp://x/y", "hf://tao/@/m.gguf"} {
		if _, err := ResolveModelURL(bad); err == nil {
			t.Errorf("%q resolved", bad)
		}
	}
}
