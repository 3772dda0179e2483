package tokenizer

import "container/heap"

// encodeSPM appends the SentencePiece tokenization of s (spaces already
// escaped to U+2581), following llama.cpp's llm_tokenizer_spm: start from
// UTF-8 characters, repeatedly merge the adjacent pair whose concatenation
// is the highest-scoring piece (leftmost on ties), then emit each symbol,
// falling back to its bytes when it is not a piece.
func (t *Tokenizer) encodeSPM(out []int32, s string) []int32 {
	if s == "" {
		return out
	}
	syms := make([]symbol, 0, len(s))
	for off := 0; off < len(s); {
		n := min(utf8Len(s[off]), len(s)-off)
		syms = append(syms, symbol{start: off, n: n, prev: len(syms) - 1, next: len(syms) + 1})
		off += n
	}
	syms[len(syms)-1].next = -1
	q := &bigramQueue{}
	tryAdd := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		text := s[syms[l].start : syms[r].start+syms[r].n]
		id, ok := t.ids[text]
		if !ok {
			return
		}
		heap.Push(q, bigram{left: l, right: r, score: t.v.Scores[id], size: len(text)})
	}
	for i := 1; i < len(syms); i++ {
		tryAdd(i-1, i)
	}
	for q.Len() > 0 {
		b := heap.Pop(q).(bigram)
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue // outdated
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		tryAdd(l.prev, b.left)
		tryAdd(b.left, l.next)
	}
	// Every merged symbol is a piece; a lone character that is not one
	// falls back to its bytes (llama.cpp's resegment).
	for i := 0; i >= 0; i = syms[i].next {
		text := s[syms[i].start : syms[i].start+syms[i].n]
		if id, ok := t.ids[text]; ok {
			out = append(out, id)
			continue
		}
		for j := range len(text) {
			if id := t.bytes[text[j]]; id >= 0 {
				out = append(out, id)
			} else if t.v.UNK >= 0 {
				out = append(out, t.v.UNK)
			}
		}
	}
	return out
}

type symbol struct {
	start, n   int
	prev, next int
}

type bigram struct {
	left, right int
	score       float32
	size        int
}

// bigramQueue is a max-heap by score, then by leftmost position.
type bigramQueue []bigram

func (q bigramQueue) Len() int { return len(q) }
func (q bigramQueue) Less(i, j int) bool {
	if q[i].score != q[j].score {
		return q[i].score > q[j].score
	}
	return q[i].left < q[j].left
}
func (q bigramQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *bigramQueue) Push(x any)   { *q = append(*q, x.(bigram)) }
func (q *bigramQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// utf8Len is the sequence length announced by a UTF-8 lead byte, as
// llama.cpp's unicode_len_utf8 (continuation bytes count as 1).
func utf8Len(b byte) int {
	return [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4]
}
