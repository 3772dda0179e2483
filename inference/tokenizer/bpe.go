package tokenizer

import "strings"

// encodeBPE appends the byte-level BPE tokenization of text: split by the
// vocabulary's pre-tokenizer, map each chunk's bytes to GPT-2 runes, and
// merge the lowest-ranked adjacent pair until none applies (llama.cpp's
// llm_tokenizer_bpe). With ignoreMerges (the Llama 3 family) a chunk that
// is itself a token is emitted whole.
func (t *Tokenizer) encodeBPE(out []int32, text string) []int32 {
	for _, chunk := range t.pre.split(text) {
		var b strings.Builder
		for i := range len(chunk) {
			b.WriteRune(byteToRune[chunk[i]])
		}
		word := b.String()
		if id, ok := t.ids[word]; ok && t.pre.ignoreMerges {
			out = append(out, id)
			continue
		}
		parts := make([]string, 0, len(chunk))
		for _, r := range word {
			parts = append(parts, string(r))
		}
		for len(parts) > 1 {
			best, at := -1, -1
			for i := 0; i+1 < len(parts); i++ {
				if r, ok := t.ranks[[2]string{parts[i], parts[i+1]}]; ok && (best < 0 || r < best) {
					best, at = r, i
				}
			}
			if at < 0 {
				break
			}
			// Merge every occurrence of the pair, left to right.
			l, r := parts[at], parts[at+1]
			merged := parts[:0:0]
			for i := 0; i < len(parts); i++ {
				if i+1 < len(parts) && parts[i] == l && parts[i+1] == r {
					merged = append(merged, l+r)
					i++
				} else {
					merged = append(merged, parts[i])
				}
			}
			parts = merged
		}
		for _, p := range parts {
			if id, ok := t.ids[p]; ok {
				out = append(out, id)
				continue
			}
			for _, r := range p { // unreachable for a complete byte-level vocabulary
				if id := t.bytes[runeToByte[r]]; id >= 0 {
					out = append(out, id)
				}
			}
		}
	}
	return out
}
