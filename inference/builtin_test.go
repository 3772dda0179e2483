package inference

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/llama"
	"github.com/taonet/tao/inference/synth"
)

// modelBytes is the synthetic stories15m Q8_0 model, built once per test
// binary.
var modelBytes = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := synth.Write(&buf, synth.Options{Preset: "stories15m", Quant: gguf.Q8_0, Seed: 1})
	return buf.Bytes(), err
})

func newEngine(t *testing.T) *Builtin {
	t.Helper()
	b, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	e, err := LoadBuiltin(b, BuiltinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func generate(t *testing.T, e Engine, req Request) Result {
	t.Helper()
	res, err := e.Generate(context.Background(), req, func(Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScoreOwnGreedyOutputIsMax(t *testing.T) {
	e := newEngine(t)
	res := generate(t, e, Request{Prompt: "Once upon a time", MaxTokens: 16})
	if len(res.Tokens) != 16 || res.Finish != FinishLength {
		t.Fatalf("got %d tokens, finish %q", len(res.Tokens), res.Finish)
	}
	lps, err := e.Score(context.Background(), res.PromptTokens, res.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	// Scoring in small chunks gives the same answer.
	b, _ := modelBytes()
	small, err := LoadBuiltin(b, BuiltinOptions{PrefillChunk: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	lps3, err := small.Score(context.Background(), res.PromptTokens, res.Tokens)
	if err != nil || !slices.Equal(lps3, lps) {
		t.Errorf("chunked score %v (%v), want %v", lps3, err, lps)
	}
	// Independently: the max log-probability at each step.
	m := e.Model()
	seq := m.NewSeq(len(res.PromptTokens) + len(res.Tokens))
	var rows []llama.Row
	for _, id := range res.PromptTokens {
		rows = append(rows, llama.Row{Seq: seq, Token: id})
	}
	for i, id := range res.Tokens {
		rows[len(rows)-1].Logits = true
		out, err := m.Forward(rows, 0)
		if err != nil {
			t.Fatal(err)
		}
		lp := llama.LogSoftmax(out[0])
		best := llama.Argmax(lp)
		if int32(best) != id {
			t.Errorf("step %d: greedy token %d, argmax %d", i, id, best)
		}
		if d := math.Abs(float64(lps[i] - lp[best])); d > 1e-4 {
			t.Errorf("step %d: score %v, max log-prob %v", i, lps[i], lp[best])
		}
		rows = []llama.Row{{Seq: seq, Token: id}}
	}
}

// TestScoreRejectsTokensOutsideVocabulary: ids come from the network (a
// miner's answer that a validator scores), so every one is checked, the
// last scored token (never fed to the forward pass) included.
func TestScoreRejectsTokensOutsideVocabulary(t *testing.T) {
	e := newEngine(t)
	v := int32(e.Model().Vocab)
	for _, c := range []struct {
		name           string
		prompt, tokens []int32
	}{
		{"last scored token", []int32{1, 100}, []int32{200, v}},
		{"first scored token", []int32{1, 100}, []int32{-1, 200}},
		{"prompt", []int32{1, v + 5}, []int32{200}},
	} {
		_, err := e.Score(context.Background(), c.prompt, c.tokens)
		if !errors.Is(err, ErrToken) {
			t.Errorf("%s: %v, want ErrToken", c.name, err)
		}
	}
	if _, err := e.Score(context.Background(), []int32{1, 100}, []int32{200, v - 1}); err != nil {
		t.Errorf("last id of the vocabulary: %v", err)
	}
	_, err := e.Generate(context.Background(), Request{PromptTokens: []int32{1, v}, MaxTokens: 1}, func(Token) error { return nil })
	if !errors.Is(err, ErrToken) {
		t.Errorf("prompt ids: %v, want ErrToken", err)
	}
}

func TestSeededSamplingReproducible(t *testing.T) {
	e := newEngine(t)
	s := Sampling{Temperature: 0.9, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1, Seed: 42}
	a := generate(t, e, Request{Prompt: "Hello", MaxTokens: 24, Sampling: s})
	b := generate(t, e, Request{Prompt: "Hello", MaxTokens: 24, Sampling: s})
	if !slices.Equal(a.Tokens, b.Tokens) {
		t.Fatalf("same seed, different tokens:\n%v\n%v", a.Tokens, b.Tokens)
	}
	s.Seed = 43
	c := generate(t, e, Request{Prompt: "Hello", MaxTokens: 24, Sampling: s})
	if slices.Equal(a.Tokens, c.Tokens) {
		t.Errorf("different seeds gave the same %d tokens", len(a.Tokens))
	}
}

// TestBatchedMatchesSequential runs requests concurrently (batched by the
// scheduler, their draws spread over threads when sampled) and checks each
// gets what it gets alone, greedy and with seeded sampling.
func TestBatchedMatchesSequential(t *testing.T) {
	for _, sampled := range []bool{false, true} {
		t.Run(fmt.Sprint("sampled=", sampled), func(t *testing.T) { testBatchedMatchesSequential(t, sampled) })
	}
}

func testBatchedMatchesSequential(t *testing.T, sampled bool) {
	e := newEngine(t)
	prompts := []string{"Once upon a time", "The quick brown fox", "[INST] hi [/INST]", "a", "日本語"}
	req := func(i int) Request {
		r := Request{Prompt: prompts[i], MaxTokens: 12}
		if sampled {
			r.Sampling = Sampling{Temperature: 0.9, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1, Seed: uint64(i + 1)}
		}
		return r
	}
	want := make([][]int32, len(prompts))
	for i := range prompts {
		want[i] = generate(t, e, req(i)).Tokens
	}
	got := make([][]int32, len(prompts))
	var wg sync.WaitGroup
	for i := range prompts {
		wg.Go(func() {
			res, err := e.Generate(context.Background(), req(i), func(Token) error { return nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = res.Tokens
		})
	}
	wg.Wait()
	for i := range prompts {
		// Activations are quantized per row, so batching changes nothing.
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%q: batched %v, alone %v", prompts[i], got[i], want[i])
		}
	}
}

func TestStreamAndStop(t *testing.T) {
	e := newEngine(t)
	full := generate(t, e, Request{Prompt: "Once upon a time", MaxTokens: 20})
	var streamed strings.Builder
	res, err := e.Generate(context.Background(), Request{Prompt: "Once upon a time", MaxTokens: 20}, func(tk Token) error {
		streamed.WriteString(tk.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if streamed.String() != full.Text || res.Text != full.Text {
		t.Fatalf("streamed %q, result %q, want %q", streamed.String(), res.Text, full.Text)
	}
	r := []rune(full.Text)
	stop := string(r[len(r)/2 : len(r)/2+2])
	want := full.Text[:strings.Index(full.Text, stop)]
	streamed.Reset()
	res, err = e.Generate(context.Background(), Request{Prompt: "Once upon a time", MaxTokens: 20, Stop: []string{stop}}, func(tk Token) error {
		streamed.WriteString(tk.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != want || streamed.String() != want || res.Finish != FinishStop {
		t.Errorf("stop %q: text %q streamed %q finish %q, want %q", stop, res.Text, streamed.String(), res.Finish, want)
	}
}

func TestCancel(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := e.Generate(ctx, Request{Prompt: "x", MaxTokens: 200}, func(Token) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The engine still serves.
	generate(t, e, Request{Prompt: "x", MaxTokens: 2})
}

func TestBadModel(t *testing.T) {
	b, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)/2],
		"magic":     append([]byte("GGML"), b[4:1000]...),
		"empty":     nil,
	} {
		if _, err := LoadBuiltin(bad, BuiltinOptions{}); !errors.Is(err, ErrBadModel) {
			t.Errorf("%s: err = %v, want ErrBadModel", name, err)
		}
	}
}

func TestChatTemplate(t *testing.T) {
	e := newEngine(t)
	res := generate(t, e, Request{Messages: []Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi </s>"}}, MaxTokens: 1})
	got := e.Model().Tok.Decode(res.PromptTokens)
	if want := "[INST] Be brief.\n\nHi </s> [/INST]"; got != want {
		t.Errorf("chat prompt %q, want %q", got, want)
	}
	if slices.Contains(res.PromptTokens[1:], e.Info().EOS) {
		t.Error("user text produced a control token")
	}
}

func TestCloseDuringGenerate(t *testing.T) {
	b, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	e, err := LoadBuiltin(b, BuiltinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var once sync.Once
		_, err := e.Generate(context.Background(), Request{Prompt: "x", MaxTokens: 400}, func(Token) error {
			once.Do(func() { close(started) })
			return nil
		})
		done <- err
	}()
	<-started
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("in-flight request: err = %v, want ErrClosed", err)
	}
	if _, err := e.Generate(context.Background(), Request{Prompt: "x"}, func(Token) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestTopKSelection checks the heap selection against a full sort.
func TestTopKSelection(t *testing.T) {
	logits := make([]float32, 1000)
	for i := range logits {
		logits[i] = float32((i*7919)%1000) / 100
	}
	logits[3], logits[900] = 50, 50 // a tie at the top
	s := newSampler(Sampling{TopK: 10, Temperature: 1}, nil)
	got := s.topK(logits, 10)
	all := newSampler(Sampling{Temperature: 1}, nil).topK(append([]float32(nil), logits...), 0)
	for i := range got {
		if got[i] != all[i] {
			t.Fatalf("top %d: %v, want %v", i, got[i], all[i])
		}
	}
	if got[0].id != 3 || got[1].id != 900 {
		t.Errorf("tie order %v", got[:2])
	}
	// Logits from a few values, so that ties sit across the k-th place:
	// the lower ids must win them, as in the full sort.
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{1, 2, 10, 40, 999} {
		for range 20 {
			for i := range logits {
				logits[i] = float32(r.IntN(12))
			}
			got := s.topK(logits, k)
			all := newSampler(Sampling{Temperature: 1}, nil).topK(append([]float32(nil), logits...), 0)
			if len(got) != k {
				t.Fatalf("k %d: %d candidates", k, len(got))
			}
			for i := range got {
				if got[i] != all[i] {
					t.Fatalf("k %d, top %d: %v, want %v", k, i, got[i], all[i])
				}
			}
		}
	}
}

// TestDrawAllFollowsSoftmax draws many times from four logits with no
// top-k or top-p (the unsorted path) and checks the frequencies against the
// softmax at the temperature, and that a seed repeats its draws.
func TestDrawAllFollowsSoftmax(t *testing.T) {
	logits := []float32{1, 3, 2, 0.5}
	const temp, n = 0.7, 200000
	want := make([]float64, len(logits))
	var z float64
	for i, v := range logits {
		want[i] = math.Exp(float64(v) / temp)
		z += want[i]
	}
	s := newSampler(Sampling{Temperature: temp, TopP: 1, Seed: 5}, nil)
	again := newSampler(Sampling{Temperature: temp, TopP: 1, Seed: 5}, nil)
	counts := make([]int, len(logits))
	for range n {
		id := s.draw(logits)
		if id2 := again.draw(logits); id2 != id {
			t.Fatalf("same seed drew %d and %d", id, id2)
		}
		counts[id]++
	}
	for i, c := range counts {
		p := want[i] / z
		if got := float64(c) / n; math.Abs(got-p) > 5*math.Sqrt(p*(1-p)/n) {
			t.Errorf("token %d drawn %.4f of the time, softmax %.4f", i, got, p)
		}
	}
}

// TestNucleusMatchesSort checks that the nucleus found by ranking the best
// few candidates is the prefix of the fully sorted vocabulary whose mass
// first reaches top-p, on a peaked distribution (a few ranked) and a flat
// one (most of it ranked).
func TestNucleusMatchesSort(t *testing.T) {
	for _, spread := range []float64{8, 0.1} {
		logits := make([]float32, 5000)
		for i := range logits {
			logits[i] = float32(math.Sin(float64(i)*1.7) * spread)
		}
		const temp, tp = 0.9, 0.9
		s := newSampler(Sampling{Temperature: temp, TopP: tp}, nil)
		got := s.nucleus(logits, tp)
		all := newSampler(Sampling{Temperature: temp}, nil).topK(logits, 0)
		w := make([]float32, len(logits))
		total := llama.SoftmaxWeights(w, logits, temp)
		var acc float64
		n := len(all)
		for i, c := range all {
			acc += float64(w[c.id]) / total
			if acc >= tp {
				n = i + 1
				break
			}
		}
		if len(got) != n {
			t.Fatalf("spread %v: nucleus of %d, sorted prefix of %d", spread, len(got), n)
		}
		for i := range got {
			if got[i].id != all[i].id {
				t.Fatalf("spread %v: candidate %d is %d, sorted %d", spread, i, got[i].id, all[i].id)
			}
		}
	}
}
