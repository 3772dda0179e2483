package node

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// TestAPIPortTakenFailsFirst: a node whose --http port is taken fails with
// the port's error before any other start-up work (here, before reading a
// missing genesis, which would fail too), and a node that fails to start
// after taking its port gives the port back.
func TestAPIPortTakenFailsFirst(t *testing.T) {
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	start := func(addr string) error {
		n, err := New(Config{Home: t.TempDir(), DataDir: t.TempDir(), PrivKey: key, HTTPAddr: addr, NoMDNS: true,
			ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, GenesisFile: filepath.Join(t.TempDir(), "missing.json")})
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		return n.Start(t.Context())
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if err := start(busy.Addr().String()); err == nil || !strings.Contains(err.Error(), "pick a port with --http") {
		t.Fatalf("taken port: %v, want the API port's error first", err)
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	if err := start(addr); err == nil || !strings.Contains(err.Error(), "genesis") {
		t.Fatalf("missing genesis: %v", err)
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the failed node kept its API port: %v", err)
	}
	again.Close()
}

// TestAPIStartingAnswers503: between taking its port and installing the
// API, a node answers at once: /healthz ok, the rest 503 with Retry-After
// (the OpenAI routes in OpenAI's error shape), not a connection left
// waiting in the listen queue.
func TestAPIStartingAnswers503(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), DataDir: t.TempDir(), HTTPAddr: "off", NoMDNS: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
		status     int
	}{
		{"/healthz", "ok", http.StatusOK},
		{"/status", `"error": "the node is starting`, http.StatusServiceUnavailable},
		{"/v1/models", `"code": "starting"`, http.StatusServiceUnavailable},
	} {
		rec := httptest.NewRecorder()
		n.serveAPI(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %s, want %d with %s", c.path, rec.Code, rec.Body, c.status, c.want)
		}
		if c.status == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", c.path)
		}
	}
	if err := n.startHTTP(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	n.serveAPI(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/healthz after startHTTP: %d", rec.Code)
	}
}
