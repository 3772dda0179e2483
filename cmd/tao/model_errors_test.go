package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelArgErrors gives tao generate, tao model info and tao model pull
// what a first-time user might: no file, a directory, an empty or truncated
// file, a CID not in the cache, an empty prompt, negative counts. Each is
// exit status 2, nothing on stdout, and one line on stderr that says what
// to do.
func TestModelArgErrors(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TAO_HOME", home)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.gguf")
	code, _, errOut := runWallet(t, "", "model", "synth", "--preset", "stories15m", "--quant", "q4_0", "--out", model)
	if code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "meaningless") || !strings.Contains(errOut, "tao model pull") {
		t.Errorf("synth's note does not say how to get a real model: %q", errOut)
	}
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	empty, trunc, sub := filepath.Join(dir, "empty.gguf"), filepath.Join(dir, "trunc.gguf"), filepath.Join(dir, "sub.gguf")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	os.Mkdir(sub, 0o755)
	const uncached = "bafkreie7q3iidccmpvszul7kudcvvuavuo7u6gzlbobczuk5nqk3b4akba"
	gen := func(m string, extra ...string) []string {
		return append(append([]string{"generate", "--model", m, "--max-tokens", "2", "--temperature", "0", "--json"}, extra...), "hi")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{gen(filepath.Join(dir, "missing.gguf")), "tao model pull"},
		{gen(sub), "is a directory"},
		{gen(empty), "give a llama-family GGUF file"},
		{gen(trunc), "give a llama-family GGUF file"},
		{gen(uncached), "tao model pull URL --cid " + uncached},
		{[]string{"generate", "--model", model, ""}, "PROMPT is empty"},
		{gen(model, "--max-tokens", "-1"), "--max-tokens -1"},
		{gen(model, "--threads", "-1"), "--threads -1"},
		{[]string{"model", "info", uncached}, "tao model pull URL --cid"},
		{[]string{"model", "info", sub}, "is a directory"},
		{[]string{"model", "info", trunc}, "give a llama-family GGUF file"},
		{[]string{"model", "pull", filepath.Join(dir, "missing.gguf")}, "no file"},
		{[]string{"model", "pull", sub}, "is a directory"},
	} {
		code, out, errOut := runWallet(t, "", c.args...)
		line := strings.TrimSuffix(errOut, "\n")
		if code != 2 || out != "" || line == "" || strings.Contains(line, "\n") || !strings.Contains(line, c.want) {
			t.Errorf("tao %q: exit %d, stdout %q, stderr %q; want exit 2, one line with %q", c.args, code, out, errOut, c.want)
		}
	}
}

// TestProgressBarResumedRate: a resumed download's rate counts the bytes
// of this run only, not those already on disk.
func TestProgressBarResumedRate(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf)
	p.update(900<<20, 1000<<20) // resumed at 900 MiB
	if got := buf.String(); !strings.Contains(got, " 0.0 MiB/s") {
		t.Errorf("progress at resume %q: want 0.0 MiB/s", got)
	}
}
