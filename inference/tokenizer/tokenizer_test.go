package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

type refs struct {
	Strings []string  `json:"strings"`
	Llama2  [][]int32 `json:"llama2"`
	Llama3  [][]int32 `json:"llama3"`
}

func loadRefs(t *testing.T) refs {
	b, err := os.ReadFile("testdata/refs.json")
	if err != nil {
		t.Fatal(err)
	}
	var r refs
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Strings) < 200 {
		t.Fatalf("only %d reference strings", len(r.Strings))
	}
	return r
}

func builtin(t testing.TB, name string) *Tokenizer {
	v, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestParity compares with token ids from @lenml/tokenizers
// (scripts/tokenizer-refs.mjs).
func TestParity(t *testing.T) {
	r := loadRefs(t)
	for _, name := range []string{"llama2", "llama3"} {
		t.Run(name, func(t *testing.T) {
			tok := builtin(t, name)
			want := r.Llama2
			if name == "llama3" {
				want = r.Llama3
			}
			bad := 0
			for i, s := range r.Strings {
				got := tok.Encode(s, false, true)
				if !slices.Equal(got, want[i]) && !(len(got) == 0 && len(want[i]) == 0) {
					bad++
					if bad <= 10 {
						t.Errorf("Encode(%q) = %v, want %v", s, got, want[i])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d strings differ", bad, len(r.Strings))
			}
		})
	}
}

func TestRoundTripText(t *testing.T) {
	for _, name := range []string{"llama2", "llama3"} {
		tok := builtin(t, name)
		for _, s := range []string{"Hello world", "  two spaces", "日本語 😀 emoji", "line\nbreak\ttab", "ünï"} {
			ids := tok.Encode(s, true, false)
			if ids[0] != tok.Vocab().BOS {
				t.Errorf("%s: Encode(%q) does not start with BOS", name, s)
			}
			if got := tok.Decode(ids); got != s {
				t.Errorf("%s: Decode(Encode(%q)) = %q", name, s, got)
			}
		}
	}
}

func TestUnsupportedPreTokenizer(t *testing.T) {
	v, err := Builtin("llama3")
	if err != nil {
		t.Fatal(err)
	}
	v.Pre = "tekken"
	if _, err := New(v); err == nil {
		t.Error("New accepted a pre-tokenizer it does not implement")
	}
}
