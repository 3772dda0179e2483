package tokenizer

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// A preTokenizer splits text into the chunks that byte-level BPE merges
// within, as llama.cpp's llm_tokenizer_bpe does for a tokenizer.ggml.pre
// value: each stage splits every piece the previous stage produced
// (unicode_regex_split), and the pieces never merge across.
type preTokenizer struct {
	stages []stage
	// ignoreMerges emits a chunk that is itself a token whole, without
	// running the merges (llama.cpp sets it for the Llama 3 family).
	ignoreMerges bool
	// addBOS is llama.cpp's default for tokenizer.ggml.add_bos_token
	// when the file does not set it.
	addBOS bool
}

// A stage returns the lengths, in runes, of consecutive pieces covering rs.
type stage func(rs []rune) []int

// preTokenizerFor returns the pre-tokenizer llama.cpp uses for name. A
// missing name ("") means llama.cpp's "default"; a name llama.cpp does not
// know, or one whose rules this package lacks, is an error rather than a
// silently different split (llama.cpp refuses unknown names too).
func preTokenizerFor(name string) (*preTokenizer, error) {
	p := &preTokenizer{}
	switch name {
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2":
		p.stages, p.ignoreMerges, p.addBOS = []stage{splitter(3)}, true, true
	case "dbrx", "smaug-bpe":
		p.stages = []stage{splitter(3)}
	case "qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2":
		p.stages = []stage{splitter(1)}
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
		"mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4":
		p.stages = []stage{splitGPT2}
	case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b":
		p.stages = []stage{runs(isNumber, false), splitGPT2}
	case "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon", "poro-chat", "viking", "tekken", "bloom",
		"gpt3-finnish", "chameleon", "gpt-4o", "llama4", "superbpe", "bailingmoe", "bailingmoe2", "llada-moe",
		"seed-coder", "hunyuan", "hunyuan-dense", "kimi-k2", "grok-2", "afmoe", "minimax-m2", "jina-v1-en",
		"jina-v2-code", "roberta-bpe", "chatglm-bpe", "glm4", "qwen35":
		return nil, fmt.Errorf("tokenizer: BPE pre-tokenizer %q is not implemented by the builtin engine (implemented: llama-bpe, smaug-bpe, dbrx, qwen2, gpt-2, smollm, default and their aliases); serve the model with --engine openai", name)
	case "default", "":
		p.stages = []stage{runs(isDefaultPunct, true), splitGPT2, runs(isNumber, true), asciiDigitTriples}
	default:
		return nil, fmt.Errorf("tokenizer: unknown BPE pre-tokenizer %q (llama.cpp refuses it too; set tokenizer.ggml.pre to the model's family, e.g. llama-bpe or qwen2)", name)
	}
	return p, nil
}

// split returns the pre-tokenizer's chunks of text, substrings of text
// (invalid UTF-8 bytes decode to U+FFFD but keep their own length).
func (p *preTokenizer) split(text string) []string {
	rs := []rune(text)
	offs := make([]int, 0, len(rs)+1)
	for i := 0; i < len(text); {
		_, n := utf8.DecodeRuneInString(text[i:])
		offs = append(offs, i)
		i += n
	}
	offs = append(offs, len(text))
	rs = rs[:len(offs)-1]
	pieces := []int{len(rs)}
	if len(rs) == 0 {
		pieces = nil
	}
	for _, st := range p.stages {
		var next []int
		at := 0
		for _, n := range pieces {
			next = append(next, st(rs[at:at+n])...)
			at += n
		}
		pieces = next
	}
	out := make([]string, 0, len(pieces))
	at := 0
	for _, n := range pieces {
		out = append(out, text[offs[at]:offs[at+n]])
		at += n
	}
	return out
}

// splitter returns the stage of the Llama 3 regex
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// with \p{N}{1,digits} (Qwen2's regex is Llama 3's with single digits).
func splitter(digits int) stage {
	return func(rs []rune) []int {
		var out []int
		for i := 0; i < len(rs); {
			n := matchLlama3(rs, i, digits)
			out = append(out, n)
			i += n
		}
		return out
	}
}

// splitGPT2 is the stage of GPT-2's regex, as llama.cpp's hand-written
// unicode_regex_split_custom_gpt2 matches it:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func splitGPT2(rs []rune) []int {
	var out []int
	at := func(j int) rune {
		if j < len(rs) {
			return rs[j]
		}
		return -1
	}
	for i := 0; i < len(rs); {
		n := matchGPT2(rs, i, at)
		out = append(out, n)
		i += n
	}
	return out
}

func matchGPT2(rs []rune, i int, at func(int) rune) int {
	if rs[i] == '\'' {
		a, b := at(i+1), at(i+2)
		switch {
		case a == 's', a == 't', a == 'm', a == 'd':
			return 2
		case a == 'r' && b == 'e', a == 'v' && b == 'e', a == 'l' && b == 'l':
			return 3
		}
	}
	j := i
	if rs[i] == ' ' {
		j++
	}
	for _, class := range []func(rune) bool{isLetter, isNumber, isPunct} {
		if class(at(j)) {
			for class(at(j)) {
				j++
			}
			return j - i
		}
	}
	end := i
	for end < len(rs) && isSpace(rs[end]) {
		end++
	}
	switch {
	case end-i > 1 && end < len(rs): // \s+(?!\S): leave the last space to the next word
		return end - i - 1
	case end > i:
		return end - i
	}
	return 1
}

// runs returns the stage of a regex class [...]+ (or a single [...] when
// plus is false): matches and the gaps between them become pieces.
func runs(class func(rune) bool, plus bool) stage {
	return func(rs []rune) []int {
		var out []int
		gap := 0
		for i := 0; i < len(rs); {
			if !class(rs[i]) {
				gap++
				i++
				continue
			}
			if gap > 0 {
				out = append(out, gap)
				gap = 0
			}
			j := i + 1
			for plus && j < len(rs) && class(rs[j]) {
				j++
			}
			out = append(out, j-i)
			i = j
		}
		if gap > 0 {
			out = append(out, gap)
		}
		return out
	}
}

// asciiDigitTriples is the stage of [0-9][0-9][0-9].
func asciiDigitTriples(rs []rune) []int {
	var out []int
	gap := 0
	d := func(r rune) bool { return r >= '0' && r <= '9' }
	for i := 0; i < len(rs); {
		if i+2 < len(rs) && d(rs[i]) && d(rs[i+1]) && d(rs[i+2]) {
			if gap > 0 {
				out = append(out, gap)
				gap = 0
			}
			out = append(out, 3)
			i += 3
			continue
		}
		gap++
		i++
	}
	if gap > 0 {
		out = append(out, gap)
	}
	return out
}

// isDefaultPunct is the class [\p{P}\$\+<=>\^~\|] of llama.cpp's default
// pre-tokenizer.
func isDefaultPunct(r rune) bool {
	switch r {
	case '$', '+', '<', '=', '>', '^', '~', '|':
		return true
	}
	return r >= 0 && unicode.IsPunct(r)
}
