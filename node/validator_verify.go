package node

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/taonet/tao/inference"
)

// Verification of greedy answers (DESIGN §5). A validator computes the
// reference answer to each prompt once, on its own engine over the
// subnet's model, and holds every miner's answer to it: since every miner
// of a round gets the same prompts, the cost of verifying grows with the
// prompts, not with the miners.

// tieTolerance is how far (in nats) below the reference's greedy choice
// a miner's token may score and still count as a tie: two kernels (batched
// and not, CPU and GPU) may round a near-tie the other way. A substituted
// model or junk misses by far more.
const tieTolerance = 1e-3

// maxTies bounds the ties one answer may take, so that junk cannot make
// the validator regenerate without end.
const maxTies = 2

// reference is a validator's own greedy answer to one prompt.
type reference struct {
	prompt    string
	promptIDs []int32
	tokens    []int32
	text      string // the tokens' text, for miners that stream text only
	logprobs  []float32
	finish    inference.FinishReason
	maxTokens int
}

// makeReference generates the greedy answer to prompt on eng.
func makeReference(ctx context.Context, eng inference.Engine, prompt string, maxTokens int) (*reference, error) {
	r := &reference{prompt: prompt, maxTokens: maxTokens}
	res, err := eng.Generate(ctx, inference.Request{Prompt: prompt, MaxTokens: maxTokens}, func(t inference.Token) error {
		r.logprobs = append(r.logprobs, t.Logprob)
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.promptIDs, r.tokens, r.finish, r.text = res.PromptTokens, res.Tokens, res.Finish, res.Text
	r.logprobs = r.logprobs[:min(len(r.logprobs), len(r.tokens))]
	return r, nil
}

// verdict is what verification found; reason is empty when the answer
// matched.
type verdict struct {
	reason string // "", "mismatch", "truncated", "overlong"
	detail string
}

// verifyGreedy checks that got (a miner's answer to ref's prompt, greedy,
// ref.maxTokens at most) is the subnet model's greedy answer: token for
// token, up to numerical ties (tieTolerance), which are settled by
// teacher-forced scoring and then followed by continuing the reference
// from the miner's choice.
func verifyGreedy(ctx context.Context, eng inference.Engine, ref *reference, got []int32) (verdict, error) {
	want, lps := ref.tokens, ref.logprobs
	finish := ref.finish
	ties := 0
	for i := 0; ; i++ {
		switch {
		case i == len(want) && i == len(got):
			return verdict{}, nil
		case i == len(got):
			return verdict{"truncated", fmt.Sprintf("%d tokens, the model gives %d", len(got), len(want))}, nil
		case i == len(want):
			if finish == inference.FinishLength {
				return verdict{"overlong", fmt.Sprintf("%d tokens, at most %d asked", len(got), ref.maxTokens)}, nil
			}
			return verdict{"mismatch", fmt.Sprintf("token %d: %d after the model's end of text", i, got[i])}, nil
		case got[i] == want[i]:
			continue
		}
		// A different token: a tie if the model scores the miner's choice
		// (almost) as high as its own.
		if ties == maxTies {
			return verdict{"mismatch", fmt.Sprintf("token %d: %d, the model gives %d (after %d ties)", i, got[i], want[i], ties)}, nil
		}
		sc, err := eng.Score(ctx, ref.promptIDs, got[:i+1])
		if errors.Is(err, inference.ErrToken) {
			return verdict{"mismatch", fmt.Sprintf("token %d: %d is not in the model's vocabulary", i, got[i])}, nil
		}
		if err != nil {
			return verdict{}, fmt.Errorf("score answer: %w", err)
		}
		if i >= len(lps) || float64(lps[i])-float64(sc[i]) > tieTolerance {
			return verdict{"mismatch", fmt.Sprintf("token %d: %d, the model gives %d", i, got[i], want[i])}, nil
		}
		ties++
		// Continue the reference from the miner's choice.
		rest := ref.maxTokens - (i + 1)
		cont := slices.Concat(want[:i], got[i:i+1])
		contLP := slices.Concat(lps[:i], sc[i:i+1])
		finish = inference.FinishLength
		if rest > 0 {
			var more []float32
			res, err := eng.Generate(ctx, inference.Request{PromptTokens: slices.Concat(ref.promptIDs, cont), MaxTokens: rest}, func(t inference.Token) error {
				more = append(more, t.Logprob)
				return nil
			})
			if err != nil {
				return verdict{}, fmt.Errorf("continue reference: %w", err)
			}
			cont = append(cont, res.Tokens...)
			contLP = append(contLP, more[:min(len(more), len(res.Tokens))]...)
			finish = res.Finish
		}
		want, lps = cont, contLP
	}
}

// verifyText checks the answer of a miner that streams text without token
// IDs (an OpenAI-compatible upstream engine): its text must be the
// model's greedy text exactly. Numerical ties cannot be settled without
// token IDs, so such a miner fails where a token-streaming one would be
// excused; an operator who wants the tie rule serves with the builtin
// engine.
func verifyText(ref *reference, got string) verdict {
	if got == ref.text {
		return verdict{}
	}
	n := 0
	for n < len(got) && n < len(ref.text) && got[n] == ref.text[n] {
		n++
	}
	if n == len(got) {
		return verdict{"truncated", fmt.Sprintf("%d bytes of text, the model gives %d", len(got), len(ref.text))}
	}
	return verdict{"mismatch", fmt.Sprintf("text differs from the model's at byte %d", n)}
}
