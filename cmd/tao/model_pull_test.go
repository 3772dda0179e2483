package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/inference"
)

// TestModelPull pulls hf://tao/m/m.gguf from a local server that answers
// as the Hugging Face hub does (a 302 from resolve/main to a CDN path, with
// X-Linked-Etag and X-Linked-Size), into $TAO_HOME/models, named by its
// CID, which `tao model list` then shows; then a file copied over, pulled
// by its path.
func TestModelPull(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TAO_HOME", home)
	model := append([]byte("GGUF"), bytes.Repeat([]byte("tao model pull "), 4000)...)
	sum := sha256.Sum256(model)
	sha := hex.EncodeToString(sum[:])
	var cdnGets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tao/m/resolve/main/m.gguf":
			w.Header().Set("X-Linked-Etag", `"`+sha+`"`)
			w.Header().Set("X-Linked-Size", strconv.Itoa(len(model)))
			w.Header().Set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
			http.Redirect(w, r, "/cdn/"+sha+"?X-Amz-Signature=f00d", http.StatusFound)
		case "/cdn/" + sha:
			cdnGets++
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(model))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	t.Setenv("HF_ENDPOINT", srv.URL)

	var out, errOut bytes.Buffer
	if code := runIO([]string{"model", "pull", "--json", "hf://tao/m/m.gguf"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("pull: exit %d: %s", code, errOut.String())
	}
	var got struct{ Path, CID string }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("pull printed %q: %v", out.String(), err)
	}
	want := inference.CIDOf(model).String()
	if got.CID != want || got.Path != filepath.Join(home, "models", want+".gguf") || cdnGets != 1 {
		t.Fatalf("pulled %+v after %d CDN requests, want CID %s in %s/models", got, cdnGets, want, home)
	}
	if b, err := os.ReadFile(got.Path); err != nil || !bytes.Equal(b, model) {
		t.Fatalf("cached file: %v", err)
	}
	if cids := listedCIDs(t); len(cids) != 1 || cids[0] != want {
		t.Errorf("model list = %v, want [%s]", cids, want)
	}
	// Pulled again: found by the SHA-256 the hub lists, not downloaded.
	out.Reset()
	errOut.Reset()
	if code := runIO([]string{"model", "pull", "hf://tao/m/m.gguf"}, nil, &out, &errOut); code != 0 || cdnGets != 1 ||
		out.String() != got.Path+"\n"+want+"\n" || errOut.String() != "already cached: hf://tao/m/m.gguf is "+want+" at "+got.Path+" (not downloaded again)\n" {
		t.Errorf("second pull: exit %d, %d CDN requests, stdout %q, stderr %q; want the cached model named, not downloaded", code, cdnGets, out.String(), errOut.String())
	}

	file := filepath.Join(t.TempDir(), "copied.gguf")
	other := append([]byte("GGUF"), "copied over"...)
	if err := os.WriteFile(file, other, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := runIO([]string{"model", "pull", file}, nil, &out, &errOut); code != 0 {
		t.Fatalf("pull %s: exit %d: %s", file, code, errOut.String())
	}
	if id := inference.CIDOf(other).String(); !strings.HasSuffix(out.String(), "\n"+id+"\n") || len(listedCIDs(t)) != 2 {
		t.Errorf("pull of a file printed %q, list %v; want CID %s", out.String(), listedCIDs(t), id)
	}
	// A local file that is not the --cid asked for stays out of the cache.
	third := filepath.Join(t.TempDir(), "third.gguf")
	if err := os.WriteFile(third, append([]byte("GGUF"), "a third"...), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := runIO([]string{"model", "pull", third, "--cid", want}, nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "check --cid") || len(listedCIDs(t)) != 2 {
		t.Errorf("pull of a file with another --cid: exit %d, %q, list %v; want exit 2 naming --cid and nothing cached", code, errOut.String(), listedCIDs(t))
	}
	if err := os.WriteFile(file, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := runIO([]string{"model", "pull", file}, nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "give a .gguf file") {
		t.Errorf("pull of a non-GGUF file: exit %d, %q", code, errOut.String())
	}
}

// TestModelPullUnchanged: an https URL pulled again, from a server that
// sends an ETag, is not downloaded again (the server answers 304 to
// If-None-Match) and the command says it is cached, naming CID and path;
// once the server's file changes, it downloads again.
func TestModelPullUnchanged(t *testing.T) {
	t.Setenv("TAO_HOME", t.TempDir())
	model := append([]byte("GGUF"), bytes.Repeat([]byte("unchanged "), 3000)...)
	etag := `"v1"`
	var bodies int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		bodies++
		w.Write(model)
	}))
	defer srv.Close()
	u := srv.URL + "/m.gguf"
	want := inference.CIDOf(model).String()
	pull := func() (cached bool, path, stderr string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := runIO([]string{"model", "pull", "--json", u}, nil, &out, &errOut); code != 0 {
			t.Fatalf("pull: exit %d: %s", code, errOut.String())
		}
		var got struct {
			Path, CID string
			Cached    bool
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.CID != inference.CIDOf(model).String() {
			t.Fatalf("pull printed %q (%v), want CID %s", out.String(), err, inference.CIDOf(model))
		}
		return got.Cached, got.Path, errOut.String()
	}
	if cached, _, _ := pull(); cached || bodies != 1 {
		t.Fatalf("first pull: cached %v, %d bodies served", cached, bodies)
	}
	cached, path, stderr := pull()
	if !cached || bodies != 1 || stderr != "already cached: "+u+" is "+want+" at "+path+" (not downloaded again)\n" {
		t.Fatalf("second pull: cached %v, %d bodies served, stderr %q; want no download and the cached model named", cached, bodies, stderr)
	}
	model = append(model, " v2"...)
	etag = `"v2"`
	want = inference.CIDOf(model).String()
	if cached, _, _ := pull(); cached || bodies != 2 {
		t.Fatalf("pull of a changed file: cached %v, %d bodies served; want it downloaded", cached, bodies)
	}
}

func listedCIDs(t *testing.T) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := runIO([]string{"model", "list", "--json"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut.String())
	}
	var list []inference.CachedModel
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatalf("list = %s: %v", out.String(), err)
	}
	var cids []string
	for _, m := range list {
		cids = append(cids, m.CID)
	}
	return cids
}

// TestModelPullUnreachable: a host that refuses the connection exits 1
// with one line that says what to check and how to do without internet,
// and leaves no partial file behind.
func TestModelPullUnreachable(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TAO_HOME", home)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out, errOut bytes.Buffer
	code := runIO([]string{"model", "pull", "http://" + addr + "/m.gguf"}, nil, &out, &errOut)
	msg := errOut.String()
	if code != 1 || strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
		t.Fatalf("exit %d, stderr %q; want 1 and one line", code, msg)
	}
	for _, want := range []string{"cannot reach", "check the URL", "network or proxy", "HTTPS_PROXY", "copy the .gguf file to this machine and give its path"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "resume") {
		t.Errorf("message %q offers a resume with nothing downloaded", msg)
	}
	ents, _ := os.ReadDir(filepath.Join(home, "models"))
	for _, e := range ents {
		t.Errorf("left %s in the model cache", e.Name())
	}
}
