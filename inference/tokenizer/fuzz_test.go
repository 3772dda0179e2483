package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEncode checks that any text tokenizes without panicking and that
// valid UTF-8 round-trips through Encode and Decode in both vocabularies
// and under every BPE pre-tokenizer.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world", "  lead", "日本語 😀", "a\n\n\tb", "'s 'LL 123456", "<s>x</s>", "\xff\xfe"} {
		f.Add(s)
	}
	toks := []*Tokenizer{builtin(f, "llama2"), builtin(f, "llama3")}
	// Llama 3's vocabulary under the other pre-tokenizers.
	for _, pre := range []string{"qwen2", "gpt-2", "smollm", "default"} {
		v, err := Builtin("llama3")
		if err != nil {
			f.Fatal(err)
		}
		v.Pre = pre
		tok, err := New(v)
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range toks {
			ids := tok.Encode(s, true, true)
			for _, id := range ids {
				if id < 0 || int(id) >= tok.Len() {
					t.Fatalf("id %d out of range", id)
				}
			}
			if !utf8.ValidString(s) || strings.ContainsAny(s, "<\u2581") {
				// Special-token text becomes control tokens, which decode
				// to ""; SentencePiece writes spaces as U+2581.
				continue
			}
			if got := tok.Decode(tok.Encode(s, false, false)); got != s {
				t.Fatalf("%s: Decode(Encode(%q)) = %q", tok.Vocab().Model, s, got)
			}
		}
	})
}
