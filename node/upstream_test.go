package node_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/routing"
)

// TestUpstreamMiner: a miner whose engine is an OpenAI-compatible server
// (here another tao node's /v1 endpoint, served by a builtin miner) serves
// its subnet: the gateway streams its text-only answer, checks its receipt
// against the text, and the answer is the model's greedy text.
func TestUpstreamMiner(t *testing.T) {
	ref := loadEngine(t)
	model := ref.Info().CID.String()
	builtin := loadEngine(t)
	var upstream inference.Engine // set before the upstream miner starts
	nw := taotest.NewNetwork(t, 2, &taotest.Options{Configure: func(i int, c *node.Config) {
		c.Subnets = map[uint16]node.SubnetConfig{1: {Model: model}, 2: {Model: model}}
		switch i {
		case 1:
			c.Miner = &node.MinerConfig{NetUID: 1, Engine: builtin, HeartbeatInterval: 500 * time.Millisecond}
		case 2:
			c.Miner = &node.MinerConfig{NetUID: 2, Engine: upstream, HeartbeatInterval: 500 * time.Millisecond}
		}
	}})
	up, err := inference.NewUpstream(inference.UpstreamOptions{BaseURL: nw.Nodes[0].HTTPURL() + "/v1", Model: "subnet-1", CID: ref.Info().CID})
	if err != nil {
		t.Fatal(err)
	}
	upstream = up
	nw.Add(t)
	gw := nw.Nodes[0].Router()
	deadline := time.Now().Add(30 * time.Second)
	for len(gw.Live(1)) < 1 || len(gw.Live(2)) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("live miners: subnet 1 %d, subnet 2 %d", len(gw.Live(1)), len(gw.Live(2)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	want, err := ref.Generate(context.Background(), inference.Request{Prompt: "Once upon a time", MaxTokens: 16}, func(inference.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	res, err := gw.Infer(t.Context(), 2, routing.Request{Prompt: "Once upon a time", MaxTokens: 16}, func(c routing.Chunk) error {
		if len(c.TokenIDs) != 0 {
			t.Errorf("a text-only miner sent token IDs %v", c.TokenIDs)
		}
		streamed.WriteString(c.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != want.Text || streamed.String() != want.Text {
		t.Fatalf("upstream miner answered %q (streamed %q), the model %q", res.Text, streamed.String(), want.Text)
	}
	if res.Miner != nw.Nodes[2].PeerID() || len(res.Receipts) != 1 || res.CompletionTokens == 0 {
		t.Fatalf("answered by %s with %d receipts, %d completion tokens", res.Miner, len(res.Receipts), res.CompletionTokens)
	}
}
