package tokenizer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Tokenizer encodes and decodes text for one vocabulary. It is immutable
// and safe for concurrent use.
type Tokenizer struct {
	v       *Vocab
	ids     map[string]int32
	special []string  // control and user-defined tokens, longest first
	first   [256]bool // first bytes of special
	user    bool      // some special is user-defined
	bytes   [256]int32
	ranks   map[[2]string]int // BPE merge ranks ("gpt2" only)
	pre     *preTokenizer     // "gpt2" only
	spm     bool
}

// New builds a Tokenizer for v; v must not be modified afterwards.
func New(v *Vocab) (*Tokenizer, error) {
	t := &Tokenizer{v: v, ids: make(map[string]int32, len(v.Tokens))}
	switch v.Model {
	case "llama":
		t.spm = true
		if len(v.Scores) != len(v.Tokens) {
			return nil, fmt.Errorf("tokenizer: llama vocabulary needs %d scores, has %d", len(v.Tokens), len(v.Scores))
		}
	case "gpt2":
		var err error
		if t.pre, err = preTokenizerFor(v.Pre); err != nil {
			return nil, err
		}
		t.ranks = make(map[[2]string]int, len(v.Merges))
		for r, m := range v.Merges {
			// llama.cpp splits at the first space after the first
			// byte and ignores a merge without one.
			i := -1
			if len(m) > 1 {
				i = strings.IndexByte(m[1:], ' ')
			}
			if i < 0 {
				continue
			}
			a, b := m[:i+1], m[i+2:]
			if _, dup := t.ranks[[2]string{a, b}]; !dup {
				t.ranks[[2]string{a, b}] = r
			}
		}
	default:
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %q (want llama or gpt2)", v.Model)
	}
	if len(v.Types) != 0 && len(v.Types) != len(v.Tokens) {
		return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), len(v.Tokens))
	}
	for i, s := range v.Tokens {
		if _, dup := t.ids[s]; !dup {
			t.ids[s] = int32(i)
		}
		ty := t.typeOf(int32(i))
		if (ty == TypeControl || ty == TypeUserDefined || ty == TypeUnknown) && s != "" {
			t.special = append(t.special, s)
			t.user = t.user || ty == TypeUserDefined
		}
	}
	for _, s := range t.special {
		t.first[s[0]] = true
	}
	sort.SliceStable(t.special, func(i, j int) bool { return len(t.special[i]) > len(t.special[j]) })
	for b := range 256 {
		t.bytes[b] = -1
		if t.spm {
			if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
				t.bytes[b] = id
			}
		} else if id, ok := t.ids[string(byteToRune[b])]; ok {
			t.bytes[b] = id
		}
	}
	return t, nil
}

// Vocab returns the vocabulary; the caller must not modify it.
func (t *Tokenizer) Vocab() *Vocab { return t.v }

// Len is the number of tokens.
func (t *Tokenizer) Len() int { return len(t.v.Tokens) }

func (t *Tokenizer) typeOf(id int32) int32 {
	if endOfTurn[t.v.Tokens[id]] {
		return TypeControl // as llama.cpp overrides it
	}
	if len(t.v.Types) == 0 {
		return TypeNormal
	}
	return t.v.Types[id]
}

// IsControl reports whether id is a control token (BOS, EOS, chat markers).
func (t *Tokenizer) IsControl(id int32) bool {
	return id >= 0 && int(id) < len(t.v.Tokens) && t.typeOf(id) == TypeControl
}

// endOfTurn holds the end-of-turn texts llama.cpp adds to its
// end-of-generation set, forcing them to control tokens whatever their
// type in the file. It is immutable.
var endOfTurn = map[string]bool{
	"<|eot_id|>": true, "<|eom_id|>": true, "<|end_of_text|>": true, "<|im_end|>": true,
	"<|endoftext|>": true, "<|end|>": true, "<end_of_turn>": true, "<EOT>": true,
}

// IsEOG reports whether id ends generation: EOS, or an end-of-turn token
// (Llama 3's <|eot_id|>, ChatML's <|im_end|>, ...).
func (t *Tokenizer) IsEOG(id int32) bool {
	if id == t.v.EOS || slices.Contains(t.v.EOT, id) {
		return true
	}
	if int(id) >= 0 && int(id) < len(t.v.Tokens) {
		return endOfTurn[t.v.Tokens[id]]
	}
	return false
}

// Lookup returns the id of a token string.
func (t *Tokenizer) Lookup(s string) (int32, bool) { id, ok := t.ids[s]; return id, ok }

// Encode tokenizes text. addSpecial prepends BOS (and appends EOS) as the
// vocabulary asks; parseSpecial turns control-token text such as "</s>" into
// that token instead of tokenizing its characters. User-defined tokens
// (Qwen3's "<think>", for one) are matched either way, as llama.cpp does.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	return t.encode(t.partition(text, parseSpecial), addSpecial)
}

// Part is a piece of text to tokenize with EncodeParts.
type Part struct {
	Text    string
	Special bool // control-token text in it becomes those tokens
}

// EncodeParts tokenizes the concatenation of parts, parsing control-token
// text only in the parts marked Special: a chat template's own text is
// trusted, the messages inside it are not, so a user who writes
// "<|im_end|>" gets those characters, not the token. Adjacent text is
// tokenized as one run, so the ids are those of Encode over the joined
// text whenever the untrusted parts hold no control-token text.
func (t *Tokenizer) EncodeParts(parts []Part, addSpecial bool) []int32 {
	var frags []fragment
	for _, p := range parts {
		for _, f := range t.partition(p.Text, p.Special) {
			if n := len(frags); f.id < 0 && n > 0 && frags[n-1].id < 0 {
				frags[n-1].text += f.text
				continue
			}
			frags = append(frags, f)
		}
	}
	return t.encode(frags, addSpecial)
}

func (t *Tokenizer) encode(frags []fragment, addSpecial bool) []int32 {
	var out []int32
	if addSpecial && t.v.AddBOS && t.v.BOS >= 0 {
		out = append(out, t.v.BOS)
	}
	prevSpecial := true // SentencePiece prefixes a space at the start and after a special token
	for _, frag := range frags {
		if frag.id >= 0 {
			out = append(out, frag.id)
			prevSpecial = true
			continue
		}
		if t.spm {
			s := frag.text
			if prevSpecial && !t.v.NoSpacePrefix {
				s = " " + s
			}
			out = t.encodeSPM(out, strings.ReplaceAll(s, " ", "\u2581"))
		} else {
			out = t.encodeBPE(out, frag.text)
		}
		prevSpecial = false
	}
	if addSpecial && t.v.AddEOS && t.v.EOS >= 0 {
		out = append(out, t.v.EOS)
	}
	return out
}

type fragment struct {
	text string
	id   int32 // >= 0: a special token
}

// partition splits text around special tokens (longest match first).
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	if (!parseSpecial && !t.user) || len(t.special) == 0 {
		if text == "" {
			return nil
		}
		return []fragment{{text: text, id: -1}}
	}
	var out []fragment
	start := 0
	for i := 0; i < len(text); {
		matched := ""
		if t.first[text[i]] {
			for _, s := range t.special {
				if strings.HasPrefix(text[i:], s) && (parseSpecial || t.typeOf(t.ids[s]) == TypeUserDefined) {
					matched = s
					break
				}
			}
		}
		if matched == "" {
			i++
			continue
		}
		if start < i {
			out = append(out, fragment{text: text[start:i], id: -1})
		}
		out = append(out, fragment{id: t.ids[matched]})
		i += len(matched)
		start = i
	}
	if start < len(text) {
		out = append(out, fragment{text: text[start:], id: -1})
	}
	return out
}
