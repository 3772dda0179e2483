package tokenizer

import "unicode"

// matchLlama3 returns the length of the match at rs[i] of Llama 3's
// pre-tokenizer regex with \p{N}{1,digits}, written out by hand because
// Go's regexp has no lookahead. Alternatives are tried in order, as a
// backtracking engine does. \s is JavaScript's whitespace class, which the
// reference implementation uses.
func matchLlama3(rs []rune, i, digits int) int {
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
	// \p{N}{1,digits}
	if isNumber(rs[i]) {
		j = i
		for j < len(rs) && j-i < digits && isNumber(rs[j]) {
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

// isLetter is \p{L}. Go's unicode tables are Unicode 15.0; llama.cpp's
// (and the reference's) also hold CJK Unified Ideographs Extension I
// (U+2EBF0..U+2EE5D), the only letters Unicode 15.1 added. Letters and
// digits of Unicode 16 and later are left out, as llama.cpp leaves them.
func isLetter(r rune) bool {
	return r >= 0 && (unicode.IsLetter(r) || r >= 0x2ebf0 && r <= 0x2ee5d)
}
func isNumber(r rune) bool { return r >= 0 && unicode.IsNumber(r) }
func isPunct(r rune) bool {
	return r >= 0 && !isSpace(r) && !isLetter(r) && !isNumber(r)
}

// isSpace is JavaScript's \s. llama.cpp's whitespace table differs on two
// code points (U+0085 is whitespace there, U+FEFF is not), so "\ufeff's" or
// " \u0085a" split differently under llama.cpp; this follows the reference.
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
