package sim

import (
	"container/heap"

	"github.com/taonet/tao/ledger/consensus"
)

// Virtual time: an event queue ordered by (time, sequence number), so
// events at the same instant run in the order they were scheduled and a
// run depends on nothing but its seed.

type eventKind uint8

const (
	evDeliver eventKind = iota + 1
	evTimer
	evPropose // the application's answer to a ProposeRequest
	evCrash
	evRestart
	evPartition
	evHeal
	evGST
)

type event struct {
	at   consensus.Duration
	seq  uint64
	kind eventKind
	node int
	from int
	msg  wire              // evDeliver
	to   consensus.Timeout // evTimer
	req  consensus.ProposeRequest
	inc  int // the node's incarnation the event belongs to (timers, answers)
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

type queue struct {
	h   eventHeap
	seq uint64
}

func (q *queue) push(e *event) {
	q.seq++
	e.seq = q.seq
	heap.Push(&q.h, e)
}

func (q *queue) pop() *event { return heap.Pop(&q.h).(*event) }

func (q *queue) len() int { return q.h.Len() }
