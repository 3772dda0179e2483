package node

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/taonet/tao/inference"
)

// TestDevnetModelAndUpstream: a devnet serves a GGUF file given by path
// (its subnet declares that file's CID), and a second devnet's miners
// forward to the first one's OpenAI-compatible endpoint (--engine openai)
// and answer through it.
func TestDevnetModelAndUpstream(t *testing.T) {
	if testing.Short() {
		t.Skip("two devnets; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, id, err := inference.Cache{Dir: t.TempDir()}.Synth(inference.SynthOptions{Preset: "stories15m", Quant: "q8_0", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewDevnet(DevnetConfig{Validators: 1, Nodes: 1, Miners: 1, Dir: filepath.Join(t.TempDir(), "a"), Home: t.TempDir(), Model: path})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.AwaitInference(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.genesis.Subnets[0].Model; got != id.String() {
		t.Fatalf("subnet 1 declares %s, the file is %s", got, id)
	}

	b, err := NewDevnet(DevnetConfig{Validators: 1, Nodes: 1, Miners: 1, Dir: filepath.Join(t.TempDir(), "b"), Home: t.TempDir(),
		Upstream: &DevnetUpstream{URL: a.Gateway().API + "/v1", Model: "subnet-1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.AwaitInference(ctx); err != nil {
		t.Fatal(err)
	}
	if b.validatorConfig(0) != nil {
		t.Fatal("a devnet over an upstream runs validators that cannot load its model")
	}
}
