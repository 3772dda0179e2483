package node

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/tao/inference"
)

func TestDerivePrompts(t *testing.T) {
	block := bytes.Repeat([]byte{7}, 36)
	a := derivePrompts(block, 1, []byte("validator-a"), 3)
	if !slices.Equal(a, derivePrompts(block, 1, []byte("validator-a"), 3)) {
		t.Fatal("prompts are not deterministic")
	}
	for name, other := range map[string][]string{
		"block":  derivePrompts(append(bytes.Clone(block[:35]), 8), 1, []byte("validator-a"), 3),
		"netuid": derivePrompts(block, 2, []byte("validator-a"), 3),
		"hotkey": derivePrompts(block, 1, []byte("validator-b"), 3),
	} {
		if slices.Equal(a, other) {
			t.Errorf("another %s gives the same prompts %q", name, a)
		}
	}
	for _, p := range a {
		words := strings.Fields(p)
		if len(words) < 6 || len(words) > 12 || !strings.HasSuffix(p, ".") || p[0] < 'A' || p[0] > 'Z' {
			t.Errorf("prompt %q: want 6..12 words, capitalised, with a full stop", p)
		}
	}
	if slices.Equal(a[:1], a[1:2]) {
		t.Errorf("prompts of one round repeat: %q", a)
	}
}

// TestVerifyGreedy holds answers against the builtin engine's own greedy
// answer on the synthetic default model.
func TestVerifyGreedy(t *testing.T) {
	path, _, err := DefaultModel(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := inference.OpenBuiltin(path, inference.BuiltinOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ref, err := makeReference(t.Context(), eng, "Once upon a time there was a dog.", 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.tokens) != 12 || len(ref.logprobs) != 12 {
		t.Fatalf("reference of %d tokens, %d logprobs", len(ref.tokens), len(ref.logprobs))
	}
	// A reference that took another token at a near-tie: the miner's
	// answer (the engine's own) is accepted as a tie, and verification
	// follows the miner's branch.
	tied := *ref
	tied.tokens = slices.Clone(ref.tokens)
	tied.tokens[3] = (ref.tokens[3] + 1) % 100
	tied.logprobs = slices.Clone(ref.logprobs)
	tied.logprobs[3] += tieTolerance / 2
	if v, err := verifyGreedy(t.Context(), eng, &tied, ref.tokens); err != nil || v.reason != "" {
		t.Fatalf("near-tie: verdict %+v, %v; want accepted", v, err)
	}
	tied.logprobs[3] += 1 // a clear loss, not a tie
	if v, err := verifyGreedy(t.Context(), eng, &tied, ref.tokens); err != nil || v.reason != "mismatch" {
		t.Fatalf("clear loss: verdict %+v, %v; want mismatch", v, err)
	}

	junk := slices.Clone(ref.tokens)
	junk[5] = (junk[5] + 1) % 100
	// An id outside the vocabulary (a miner's forged answer) is a
	// mismatch, not an error of the validator's engine.
	outside := slices.Clone(ref.tokens)
	outside[4] = int32(eng.Model().Vocab) + 7
	for _, tc := range []struct {
		name string
		got  []int32
		want string
	}{
		{"same", ref.tokens, ""},
		{"truncated", ref.tokens[:6], "truncated"},
		{"overlong", append(slices.Clone(ref.tokens), ref.tokens[0]), "overlong"},
		{"junk", junk, "mismatch"},
		{"outside vocabulary", outside, "mismatch"},
		{"empty", nil, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifyGreedy(t.Context(), eng, ref, tc.got)
			if err != nil {
				t.Fatal(err)
			}
			if v.reason != tc.want {
				t.Fatalf("verdict %q (%s), want %q", v.reason, v.detail, tc.want)
			}
		})
	}
}

func TestVerifyText(t *testing.T) {
	ref := &reference{text: "Once upon a time"}
	for _, c := range []struct{ got, reason string }{
		{"Once upon a time", ""}, {"Once upon", "truncated"}, {"Once upon a tide", "mismatch"}, {"Once upon a time!", "mismatch"},
	} {
		if v := verifyText(ref, c.got); v.reason != c.reason {
			t.Errorf("%q: %q, want %q", c.got, v.reason, c.reason)
		}
	}
}
