package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// splitLlama3 splits text like Llama 3's pre-tokenizer regex
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// written out by hand because Go's regexp has no lookahead. Alternatives are
// tried in order at each position, as a backtracking engine does. \s is
// JavaScript's whitespace class, which the reference implementation uses.
func splitLlama3(text string) []string {
	rs := []rune(text)
	var out []string
	// Keep byte offsets so chunks are substrings of text (invalid UTF-8
	// bytes decode to U+FFFD but keep their own length).
	offs := make([]int, 0, len(rs)+1)
	for i := 0; i < len(text); {
		_, n := utf8.DecodeRuneInString(text[i:])
		offs = append(offs, i)
		i += n
	}
	offs = append(offs, len(text))
	rs = rs[:len(offs)-1]
	for i := 0; i < len(rs); {
		n := matchLlama3(rs, i)
		out = append(out, text[offs[i]:offs[i+n]])
		i += n
	}
	return out
}

func matchLlama3(rs []rune, i int) int {
	at := func(j int) rune {
		if j < len(rs) {
			return rs[j]
		}
		return -1
	}
	// (?i:'s|'t|'re|'ve|'m|'ll|'d)
	if rs[i] == '\'' {
		a, b := unicode.ToLower(at(i+1)), unicode.ToLower(at(i+2))
		switch {
		case a == 'r' && b == 'e', a == 'v' && b == 'e', a == 'l' && b == 'l':
			return 3
		case a == 's', a == 't', a == 'm', a == 'd':
			return 2
		}
	}
	// [^\r\n\p{L}\p{N}]?\p{L}+
	j := i
	if !isLetter(rs[j]) && rs[j] != '\r' && rs[j] != '\n' && !isNumber(rs[j]) && isLetter(at(j+1)) {
		j++
	}
	if isLetter(at(j)) {
		for isLetter(at(j)) {
			j++
		}
		return j - i
	}
	// \p{N}{1,3}
	if isNumber(rs[i]) {
		j = i
		for j < len(rs) && j-i < 3 && isNumber(rs[j]) {
			j++
		}
		return j - i
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
	j = i
	if rs[j] == ' ' {
		j++
	}
	if k := j; isPunct(at(k)) {
		for isPunct(at(k)) {
			k++
		}
		for at(k) == '\r' || at(k) == '\n' {
			k++
		}
		return k - i
	}
	if !isSpace(rs[i]) {
		return 1 // unreachable: every rune matches one alternative
	}
	// \s*[\r\n]+ : the longest whitespace prefix that ends in \r or \n.
	end := i
	for end < len(rs) && isSpace(rs[end]) {
		end++
	}
	for k := end; k > i; k-- {
		if rs[k-1] == '\r' || rs[k-1] == '\n' {
			return k - i
		}
	}
	// \s+(?!\S) then \s+
	if end == len(rs) || end-i == 1 {
		return end - i
	}
	return end - i - 1
}

func isLetter(r rune) bool { return r >= 0 && unicode.IsLetter(r) }
func isNumber(r rune) bool { return r >= 0 && unicode.IsNumber(r) }
func isPunct(r rune) bool {
	return r >= 0 && !isSpace(r) && !unicode.IsLetter(r) && !unicode.IsNumber(r)
}

// isSpace is JavaScript's \s.
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
