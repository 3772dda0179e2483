package yuma

import (
	"slices"
	"sync"
)

// The sparse matrices of an epoch (about 12 bytes per weight each, half a
// dozen of them) are recycled across epochs instead of left to the garbage
// collector: at n = 256 dense they were most of the allocated bytes and the
// GC assist they caused a tenth of the time. Only scratch that no Output
// references goes back to the pools; a buffer from a pool has arbitrary
// contents, so every user writes before it reads.
var (
	intPool sync.Pool // *[]int
	i32Pool sync.Pool // *[]int32
	i64Pool sync.Pool // *[]int64
)

// getBuf returns an empty slice with capacity at least c, from p when the
// pooled one is large enough.
func getBuf[T any](p *sync.Pool, c int) []T {
	if b, ok := p.Get().(*[]T); ok && cap(*b) >= c {
		return (*b)[:0]
	}
	return make([]T, 0, c)
}

// putBuf hands s back to p; the caller must not use it afterwards.
func putBuf[T any](p *sync.Pool, s []T) {
	if cap(s) == 0 {
		return
	}
	s = s[:0]
	p.Put(&s)
}

// releaseSparse hands the arrays of the given matrices back to the pools,
// each array once even where matrices share structure or are the same.
func releaseSparse(ms ...*sparse) {
	var ptrs []*int
	var cols []*int32
	var vals []*int64
	for _, m := range ms {
		if cap(m.ptr) > 0 {
			if p := &m.ptr[:1][0]; !slices.Contains(ptrs, p) {
				ptrs = append(ptrs, p)
				putBuf(&intPool, m.ptr)
			}
		}
		if cap(m.col) > 0 {
			if p := &m.col[:1][0]; !slices.Contains(cols, p) {
				cols = append(cols, p)
				putBuf(&i32Pool, m.col)
			}
		}
		if cap(m.val) > 0 {
			if p := &m.val[:1][0]; !slices.Contains(vals, p) {
				vals = append(vals, p)
				putBuf(&i64Pool, m.val)
			}
		}
		*m = sparse{}
	}
}
