package inference

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPullSameURLConcurrently: two pulls of one URL at once (two `tao
// model pull` runs) share its partial download. The second waits for the
// first instead of truncating the file under it, then answers from the
// cache: both get the file's CID, the cache's file is the file, and the
// server sends the body once.
func TestPullSameURLConcurrently(t *testing.T) {
	model := fakeGGUF(400_000, 9)
	want := CIDOf(model)
	const etag = `"v1"`
	var bodies atomic.Int32
	started := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		bodies.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(len(model)))
		w.WriteHeader(http.StatusOK)
		started <- struct{}{}
		for i := 0; i < len(model); i += 20_000 {
			w.Write(model[i:min(i+20_000, len(model))])
			w.(http.Flusher).Flush()
			time.Sleep(15 * time.Millisecond)
		}
	}))
	defer srv.Close()
	cache := Cache{Dir: t.TempDir()}
	var wg sync.WaitGroup
	res := make([]PullResult, 2)
	errs := make([]error, 2)
	pull := func(i int) {
		defer wg.Done()
		res[i], errs[i] = cache.Pull(context.Background(), PullOptions{URL: srv.URL + "/m.gguf"})
	}
	wg.Add(2)
	go pull(0)
	<-started
	time.Sleep(60 * time.Millisecond) // the first is well into the body
	go pull(1)
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("pull %d: %v", i, errs[i])
			continue
		}
		if !res[i].CID.Equals(want) {
			t.Errorf("pull %d got %s, want %s", i, res[i].CID, want)
		}
	}
	if b, err := os.ReadFile(cache.Path(want)); err != nil || !bytes.Equal(b, model) {
		t.Errorf("the cache's file of %s is not the model (%v)", want, err)
	}
	list, _ := cache.List()
	for _, m := range list {
		if b, err := os.ReadFile(m.Path); err != nil || CIDOf(b).String() != m.CID {
			t.Errorf("cache file %s does not hold its CID's bytes", m.Path)
		}
	}
	if errs[1] == nil && !res[1].Cached {
		t.Error("the second pull downloaded the file again")
	}
	if n := bodies.Load(); n != 1 {
		t.Errorf("the server sent the body %d times, want once", n)
	}
	onlyModel(t, cache, want.String()+".gguf")
}
