package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/tao/node"
)

// syncBuffer is a bytes.Buffer safe for a process writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInferOnProcessDevnet runs `tao devnet --procs` with miners as
// separate `tao miner` processes and asks it with `tao infer`, as a user
// would: the printed example works.
func TestInferOnProcessDevnet(t *testing.T) {
	exe := buildTao(t)
	dir := t.TempDir()
	env := append(os.Environ(), "TAO_HOME="+t.TempDir())
	var out syncBuffer
	cmd := exec.Command(exe, "devnet", "--procs", "--validators", "1", "--nodes", "1", "--miners", "2", "--dir", dir)
	cmd.Stdout, cmd.Stderr, cmd.Env = &out, &out, env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(out.String(), "tao infer --api") {
		if time.Now().After(deadline) {
			t.Fatalf("devnet not serving inference after 90 s; output:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(dir + "/devnet.json")
	var m node.DevnetManifest
	if err := json.Unmarshal(b, &m); err != nil || len(m.Nodes) != 3 || m.Nodes[1].Role != "miner" || m.Nodes[2].Role != "miner" {
		t.Fatalf("devnet.json: %v: %s", err, b)
	}
	api := m.Nodes[0].API
	if !strings.Contains(out.String(), api+"/v1") {
		t.Fatalf("the devnet does not print its OpenAI base URL %s/v1:\n%s", api, out.String())
	}
	run := func(args ...string) string {
		c := exec.Command(exe, args...)
		c.Env = env
		got, err := c.Output()
		if err != nil {
			t.Fatalf("tao %s: %v", strings.Join(args, " "), err)
		}
		return string(got)
	}
	var a, b2 node.InferResult
	if err := json.Unmarshal([]byte(run("infer", "--api", api, "--json", "--temperature", "0", "--max-tokens", "8", "Tell me a story")), &a); err != nil {
		t.Fatal(err)
	}
	if a.Model != "subnet-1" || a.CompletionTokens != 8 || a.Text == "" || a.FinishReason != "length" {
		t.Fatalf("tao infer --json = %+v", a)
	}
	// Greedy answers agree whichever miner serves them, and the streamed
	// text is the same text.
	json.Unmarshal([]byte(run("infer", "--api", m.Nodes[1].API, "--json", "--temperature", "0", "--max-tokens", "8", "Tell me a story")), &b2)
	if streamed := run("infer", "--api", api, "--temperature", "0", "--max-tokens", "8", "Tell me a story"); b2.Text != a.Text || strings.TrimSuffix(streamed, "\n") != a.Text {
		t.Fatalf("greedy answers differ: %q, %q, streamed %q", a.Text, b2.Text, streamed)
	}
	// Usage errors exit 2; an unreachable node is a clear error.
	c := exec.Command(exe, "infer", "--api", api)
	c.Env = env
	if err := c.Run(); err == nil || c.ProcessState.ExitCode() != 2 {
		t.Fatalf("tao infer without a prompt: %v", err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("devnet did not stop on SIGINT\n%s", out.String())
	}
}
