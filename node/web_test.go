package node_test

import (
	"context"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/protocols"
)

func TestNetworkPage(t *testing.T) {
	nw := taotest.NewNetwork(t, 3, &taotest.Options{Validators: 3})
	nw.AwaitHeight(t, 3, time.Minute)
	nd := nw.Nodes[1]
	// A subnet created on the chain after the nodes started shows with its
	// metagraph (the owner hotkey is uid 0).
	m := &marketNet{t: t, nw: nw, nonces: map[string]uint64{}}
	m.commit(nw.Accounts[0], &protocols.CreateSubnet{OwnerHotkey: pub(seededKey(0x0f, 0)), Name: "page", Task: "text-generation"})
	time.Sleep(2 * time.Second) // the registry re-reads the chain each second
	resp, err := http.Get(nd.HTTPURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{nd.PeerID().String(), "Recent blocks", "Validators", nw.Nodes[0].PeerID().String(),
		"registration burn", "<th>dividends</th>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	t.Run("chromium", func(t *testing.T) { screenshot(t, nd.HTTPURL()+"/") })
}

// screenshot renders url in headless Chromium (Debian's chromium package)
// and checks that a non-empty picture came out; it skips without chromium.
func screenshot(t *testing.T, url string) {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no chromium on PATH (apt-get install chromium); page checked over HTTP only")
	}
	out := filepath.Join(t.TempDir(), "page.png")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1200,1400", "--screenshot="+out, url)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// A rendered page has text: many pixels differ from the background.
	b := img.Bounds()
	bg := img.At(b.Min.X+1, b.Min.Y+1)
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			if img.At(x, y) != bg {
				differ++
			}
		}
	}
	if differ < 500 {
		t.Fatalf("screenshot looks blank (%d sampled pixels differ from the background)", differ)
	}
	if dir := os.Getenv("TAO_SCREENSHOT_DIR"); dir != "" {
		b, _ := os.ReadFile(out)
		os.WriteFile(filepath.Join(dir, "network-page.png"), b, 0o644)
	}
}
