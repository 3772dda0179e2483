package tokenizer

import "strings"

// Piece returns the bytes token id stands for when detokenizing: spaces
// unescaped, byte tokens as their byte, control tokens empty (llama.cpp's
// token_to_piece without special rendering). Pieces may split a UTF-8
// character; concatenate before printing.
func (t *Tokenizer) Piece(id int32) string {
	if id < 0 || int(id) >= len(t.v.Tokens) {
		return ""
	}
	s := t.v.Tokens[id]
	switch t.typeOf(id) {
	case TypeControl, TypeUnknown, TypeUnused:
		return ""
	case TypeUserDefined:
		return s
	case TypeByte:
		if t.spm && len(s) == 6 {
			return string([]byte{hexByte(s[3])<<4 | hexByte(s[4])})
		}
	}
	if t.spm {
		return strings.ReplaceAll(s, "\u2581", " ")
	}
	var b strings.Builder
	for _, r := range s {
		if c, ok := runeToByte[r]; ok {
			b.WriteByte(c)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Decode concatenates the pieces of ids. For SentencePiece vocabularies
// that add a space prefix (tokenizer.ggml.add_space_prefix, true unless the
// file says false) the space the encoder prefixed to the text is removed
// when ids starts at the beginning of a text (after BOS); llama.cpp's
// detokenize likewise strips a leading space only when add_space_prefix
// is set, so with it false a text's own leading space survives.
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(t.Piece(id))
	}
	s := b.String()
	if t.spm && !t.v.NoSpacePrefix {
		s = strings.TrimPrefix(s, " ")
	}
	return s
}

func hexByte(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}
