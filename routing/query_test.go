package routing

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/taonet/tao/protocols"
)

// TestQueryOneMiner: Query asks the miner it names, and only it, and
// returns that miner's tokens, timings and checked receipt.
func TestQueryOneMiner(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 3, eng.Info().CID, ClientConfig{})
	tn.startMiner(t, 1, eng, MinerConfig{})
	tn.startMiner(t, 2, newTestEngine(t), MinerConfig{})
	tn.awaitLive(t, 0, 2)

	want := localGreedy(t, eng, "Once upon a time", 16)
	for _, i := range []int{1, 2} {
		p := tn.hosts[i].ID()
		res, err := tn.clients[0].Query(t.Context(), 1, p, Request{Prompt: "Once upon a time", MaxTokens: 16})
		if err != nil {
			t.Fatalf("miner %d: %v", i, err)
		}
		if res.Miner != p || !slices.Equal(res.Tokens, want.Tokens) || res.Text != want.Text {
			t.Fatalf("miner %d answered %q (%v), in-process %q", i, res.Text, res.Miner, want.Text)
		}
		if len(res.Receipts) != 1 || res.Receipts[0].Verify(testChain) != nil {
			t.Fatalf("miner %d receipts = %+v", i, res.Receipts)
		}
		if res.TTFT <= 0 || res.Duration < res.TTFT || res.CompletionTokens != 16 || res.Finish != "length" {
			t.Fatalf("miner %d: ttft %v duration %v tokens %d finish %q", i, res.TTFT, res.Duration, res.CompletionTokens, res.Finish)
		}
	}

	// A host that is no miner refuses the protocol: an error, no fallback.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := tn.clients[0].Query(ctx, 1, tn.hosts[0].ID(), Request{Prompt: "x", MaxTokens: 2}); err == nil {
		t.Fatal("query of a non-miner succeeded")
	}
	// A miner refuses a subnet it does not serve.
	_, err := tn.clients[0].Query(t.Context(), 9, tn.hosts[1].ID(), Request{Prompt: "x", MaxTokens: 2})
	if _, ok := err.(*protocols.Error); !ok {
		t.Fatalf("wrong subnet: got %v, want the miner's refusal", err)
	}
}
