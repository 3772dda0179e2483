package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/protocols"
)

func TestInferStreamsFromRemoteMiner(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 3, eng.Info().CID, ClientConfig{})
	tn.startMiner(t, 1, eng, MinerConfig{})
	tn.startMiner(t, 2, newTestEngine(t), MinerConfig{})
	tn.awaitLive(t, 0, 2)

	want := localGreedy(t, eng, "Once upon a time", 24)
	var streamed strings.Builder
	var ids []int32
	res, err := tn.clients[0].Infer(t.Context(), 1, Request{Prompt: "Once upon a time", MaxTokens: 24}, func(c Chunk) error {
		streamed.WriteString(c.Text)
		ids = append(ids, c.TokenIDs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != want.Text || streamed.String() != want.Text || !slices.Equal(ids, want.Tokens) || !slices.Equal(res.Tokens, want.Tokens) {
		t.Fatalf("network answer %q (streamed %q), in-process %q", res.Text, streamed.String(), want.Text)
	}
	if res.Finish != "length" || res.CompletionTokens != 24 || res.PromptTokens != len(want.PromptTokens) || res.Resumes != 0 {
		t.Fatalf("result = %+v", res)
	}
	if len(res.Receipts) != 1 || res.Receipts[0].Verify(testChain) != nil {
		t.Fatalf("receipts = %+v", res.Receipts)
	}

	// A chat request, with a stop string, to the same subnet.
	res, err = tn.clients[0].Infer(t.Context(), 1, Request{Messages: []inference.Message{{Role: "user", Content: "hi"}}, MaxTokens: 8}, func(Chunk) error { return nil })
	if err != nil || res.CompletionTokens == 0 {
		t.Fatalf("chat: %+v, %v", res, err)
	}

	// Bad requests fail here, before any miner.
	_, err = tn.clients[0].Infer(t.Context(), 1, Request{Prompt: "x", Sampling: inference.Sampling{TopP: 2}}, nil)
	if !isClientFault(err) {
		t.Fatalf("top_p 2: got %v, want a bad-request error", err)
	}
	// A subnet nobody serves.
	if _, err := tn.clients[0].Infer(t.Context(), 7, Request{Prompt: "x"}, nil); !errors.Is(err, ErrNoMiners) {
		t.Fatalf("unknown subnet: got %v, want ErrNoMiners", err)
	}
}

func TestGreedySameTextFromEveryMiner(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 4, eng.Info().CID, ClientConfig{})
	for i := 1; i <= 3; i++ {
		tn.startMiner(t, i, newTestEngine(t), MinerConfig{})
	}
	tn.awaitLive(t, 0, 3)
	c := tn.clients[0]
	texts := map[string]string{}
	for i := 1; i <= 3; i++ {
		// Ban the others so that miner i answers.
		for j := 1; j <= 3; j++ {
			if j == i {
				c.bans.ok(tn.hosts[j].ID())
			} else {
				c.bans.fail(tn.hosts[j].ID())
			}
		}
		res, err := c.Infer(t.Context(), 1, Request{Prompt: "The little robot", MaxTokens: 20}, func(Chunk) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if res.Miner != tn.hosts[i].ID() {
			t.Fatalf("answered by %s, want miner %d", tn.indexOf(res.Miner), i)
		}
		texts[tn.indexOf(res.Miner)] = res.Text
	}
	if texts["1"] != texts["2"] || texts["2"] != texts["3"] || texts["1"] == "" {
		t.Fatalf("greedy answers differ across miners: %q", texts)
	}
}

func TestResumeAfterMinerKilledMidStream(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 4, eng.Info().CID, ClientConfig{})
	for i := 1; i <= 3; i++ {
		tn.startMiner(t, i, newTestEngine(t), MinerConfig{})
	}
	tn.awaitLive(t, 0, 3)
	const prompt, n = "Once upon a time there was", 48
	want := localGreedy(t, eng, prompt, n)

	var streamed strings.Builder
	var first peer.ID
	chunks := 0
	res, err := tn.clients[0].Infer(t.Context(), 1, Request{Prompt: prompt, MaxTokens: n, Stop: []string{"\n\n"}}, func(c Chunk) error {
		streamed.WriteString(c.Text)
		if chunks++; chunks == 8 {
			first = c.Miner
			for i, h := range tn.hosts {
				if h.ID() == c.Miner {
					tn.kill(i)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumes < 1 || res.Miner == first || len(res.Receipts) < 1 {
		t.Fatalf("not resumed: %d resumes, finished by %s, first %s, %d receipts", res.Resumes, tn.indexOf(res.Miner), tn.indexOf(first), len(res.Receipts))
	}
	if res.Text != want.Text || streamed.String() != want.Text || !slices.Equal(res.Tokens, want.Tokens) {
		t.Fatalf("resumed answer differs from an uninterrupted one:\n got %q\nwant %q", res.Text, want.Text)
	}
	if res.PromptTokens != len(want.PromptTokens) || res.CompletionTokens != len(want.Tokens) {
		t.Fatalf("usage %d+%d, want %d+%d", res.PromptTokens, res.CompletionTokens, len(want.PromptTokens), len(want.Tokens))
	}
}

func TestSilentMinerGetsNoNewTraffic(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 4, eng.Info().CID, ClientConfig{})
	for i := 1; i <= 3; i++ {
		tn.startMiner(t, i, newTestEngine(t), MinerConfig{HeartbeatInterval: 300 * time.Millisecond})
	}
	tn.awaitLive(t, 0, 3)
	silent := tn.miners[2]
	silent.silent.Store(true)
	began := time.Now()
	tn.awaitLive(t, 0, 2) // three missed intervals: about a second
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("a silent miner stayed a candidate for %v", took)
	}
	for range 6 {
		res, err := tn.clients[0].Infer(t.Context(), 1, Request{Prompt: "Hello", MaxTokens: 4}, func(Chunk) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if res.Miner == tn.hosts[2].ID() {
			t.Fatal("the silent miner got a new request")
		}
	}
	// Heartbeats resume: the miner is a candidate again.
	silent.silent.Store(false)
	tn.awaitLive(t, 0, 3)
}

// slowStart is a fake around a real engine: it delays the first token.
type slowStart struct {
	inference.Engine
	delay time.Duration
}

func (s slowStart) Generate(ctx context.Context, req inference.Request, emit func(inference.Token) error) (inference.Result, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return inference.Result{}, ctx.Err()
	}
	return s.Engine.Generate(ctx, req, emit)
}

func TestHedgeAroundSlowMiner(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 3, eng.Info().CID, ClientConfig{HedgeDefault: 300 * time.Millisecond})
	tn.startMiner(t, 1, slowStart{eng, 20 * time.Second}, MinerConfig{})
	tn.startMiner(t, 2, newTestEngine(t), MinerConfig{})
	tn.awaitLive(t, 0, 2)
	// Make the slow miner 1 look best, so the fast miner 2 answers only
	// as the hedge.
	c := tn.clients[0]
	c.cfg.Selector = &Selector{}
	c.cfg.Directory.mu.Lock()
	c.cfg.Directory.inflight[tn.hosts[2].ID()] = 10 // ranks miner 2 second, under MaxPerMiner
	c.cfg.Directory.mu.Unlock()
	began := time.Now()
	res, err := c.Infer(t.Context(), 1, Request{Prompt: "Hi", MaxTokens: 4}, func(Chunk) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Miner != tn.hosts[2].ID() || time.Since(began) > 10*time.Second {
		t.Fatalf("answered by %s after %v; want the hedge to miner 2", tn.indexOf(res.Miner), time.Since(began))
	}
	if c.hedges.Load() != 1 {
		t.Fatalf("hedges = %d", c.hedges.Load())
	}
	// The slow miner's attempt was cancelled: it frees its slot.
	deadline := time.Now().Add(5 * time.Second)
	for r, _ := tn.miners[1].Load(); r != 0; r, _ = tn.miners[1].Load() {
		if time.Now().After(deadline) {
			t.Fatal("the losing miner still runs the hedged request")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConcurrentRequestsWithMinerKilled sends many requests at once over
// three miners and kills one midway: each completes or fails with a clear
// error; none hangs.
func TestConcurrentRequestsWithMinerKilled(t *testing.T) {
	n := 200
	if testing.Short() || raceEnabled {
		n = 48
	}
	eng := newTestEngine(t)
	tn := newTestNet(t, 4, eng.Info().CID, ClientConfig{})
	for i := 1; i <= 3; i++ {
		tn.startMiner(t, i, newTestEngine(t), MinerConfig{Rate: 1e4, Burst: 1e4, MaxQueue: n, HeartbeatInterval: 2 * time.Second})
	}
	tn.awaitLive(t, 0, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		failures []error
		byMiner  = map[string]int{}
		killOnce sync.Once
	)
	for i := range n {
		wg.Go(func() {
			res, err := tn.clients[0].Infer(ctx, 1, Request{Prompt: fmt.Sprintf("Story %d:", i), MaxTokens: 8}, func(Chunk) error { return nil })
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			done++
			byMiner[tn.indexOf(res.Miner)]++
			if done == n/4 {
				killOnce.Do(func() { go tn.kill(3) })
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("requests hung: %d done, %d failed of %d", done, len(failures), n)
	}
	for _, err := range failures {
		var pe *protocols.Error
		if !errors.As(err, &pe) && !strings.Contains(err.Error(), "miner") {
			t.Errorf("unclear error: %v", err)
		}
	}
	t.Logf("%d of %d completed, %d failed; answers by miner: %v", done, n, len(failures), byMiner)
	for _, err := range failures[:min(len(failures), 3)] {
		t.Logf("failure: %v", err)
	}
	if done < n*3/4 {
		t.Fatalf("only %d of %d requests completed; failures: %v", done, n, failures[:min(len(failures), 5)])
	}
}

// TestReceiptsGossiped: a served request's signed receipt reaches a node
// watching the subnet's receipt topic, credited to the miner that signed it.
func TestReceiptsGossiped(t *testing.T) {
	eng := newTestEngine(t)
	tn := newTestNet(t, 3, eng.Info().CID, ClientConfig{})
	rs, err := WatchReceipts(t.Context(), tn.hosts[2], 1)
	if err != nil {
		t.Fatal(err)
	}
	tn.startMiner(t, 1, eng, MinerConfig{})
	tn.awaitLive(t, 0, 1)
	// The receipt topic's mesh forms in a heartbeat or two; retry until a
	// receipt arrives.
	deadline := time.Now().Add(20 * time.Second)
	for rs.Count(tn.hosts[1].ID()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no receipt gossiped within 20 s")
		}
		if _, err := tn.clients[0].Infer(t.Context(), 1, Request{Prompt: "receipt please", MaxTokens: 4}, func(Chunk) error { return nil }); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := rs.Recent()
	if len(got) == 0 || got[0].NetUID != 1 || got[0].Verify(testChain) != nil || got[0].CompletionTokens == 0 {
		t.Fatalf("recent receipts %+v", got)
	}
}
