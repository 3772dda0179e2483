package consensus

import (
	"fmt"
	"testing"

	"github.com/taonet/tao/protocols"
)

// testNet runs cores with instant FIFO delivery; timers are kept and fired
// only when a test asks. It is the smallest driver: see internal/sim for
// the real simulation.
type testNet struct {
	t       testing.TB
	f       *fixture
	cores   []*Core
	wals    []*MemWAL
	guards  []*MemGuard
	cut     map[int]bool // isolated nodes: nothing in or out
	queue   []envelope
	timers  [][]Timer
	decided [][]string // values decided by each node, by height-1
	store   []map[uint64]*Decision
	stopAt  uint64 // no Advance past this height
}

type envelope struct {
	from, to int
	in       Input
}

func newTestNet(t testing.TB, f *fixture, stopAt uint64) *testNet {
	n := &testNet{t: t, f: f, cut: map[int]bool{}, stopAt: stopAt}
	for i := range f.vs.Len() {
		n.cores = append(n.cores, f.core(t, i, 1))
		n.wals = append(n.wals, &MemWAL{})
		n.guards = append(n.guards, &MemGuard{})
		n.timers = append(n.timers, nil)
		n.decided = append(n.decided, nil)
		n.store = append(n.store, map[uint64]*Decision{})
	}
	for i := range n.cores {
		n.handle(i)
	}
	return n
}

// handle acts on node i's Ready as a driver would.
func (n *testNet) handle(i int) {
	c := n.cores[i]
	for c.HasReady() {
		rd := c.Ready()
		if err := n.wals[i].Append(rd.WAL); err != nil {
			n.t.Fatal(err)
		}
		if rd.SignState != nil {
			if err := n.guards[i].Save(*rd.SignState); err != nil {
				n.t.Fatalf("node %d: %v", i, err)
			}
		}
		for _, sv := range rd.Serve {
			if d := n.store[i][sv.Height]; d != nil {
				rd.Messages = append(rd.Messages, Message{To: sv.To, Response: &protocols.CatchupResponse{
					Version: protocols.ConsensusVersion, ChainID: chain, Height: d.Height, Commit: d.Commit, Value: d.Value}})
			}
		}
		for _, m := range rd.Messages {
			in := Input{From: fmt.Sprint(i), Proposal: m.Proposal, Vote: m.Vote, Request: m.Request, Response: m.Response}
			for j := range n.cores {
				if j != i && (m.To == "" || m.To == fmt.Sprint(j)) {
					n.queue = append(n.queue, envelope{i, j, in})
				}
			}
		}
		n.timers[i] = append(n.timers[i], rd.Timers...)
		if p := rd.Propose; p != nil {
			n.step(i, Input{Value: &ProposedValue{Height: p.Height, Round: p.Round,
				Value: fmt.Appendf(nil, "h%d-r%d-by%d", p.Height, p.Round, i)}})
		}
		for _, v := range rd.Validate {
			n.step(i, Input{Validity: &Validity{Height: v.Height, ValueID: v.ValueID, Valid: true}})
		}
		if d := rd.Decision; d != nil {
			if err := d.Commit.Verify(chain, c.Validators().Validators()); err != nil {
				n.t.Fatalf("node %d: decision's commit: %v", i, err)
			}
			n.decided[i] = append(n.decided[i], string(d.Value))
			n.store[i][d.Height] = d
			n.wals[i].Prune(d.Height + 1)
			if d.Height < n.stopAt {
				if err := c.Advance(c.Validators().Next()); err != nil {
					n.t.Fatal(err)
				}
			}
		}
	}
}

func (n *testNet) step(i int, in Input) {
	if err := n.cores[i].Step(in); err != nil {
		n.t.Fatalf("node %d: %v", i, err)
	}
}

// deliver runs the queue until empty.
func (n *testNet) deliver() {
	for len(n.queue) > 0 {
		e := n.queue[0]
		n.queue = n.queue[1:]
		if n.cut[e.from] || n.cut[e.to] {
			continue
		}
		n.step(e.to, e.in)
		n.handle(e.to)
	}
}

// fire fires node i's pending timers of step s (all, if s is 0).
func (n *testNet) fire(i int, s Step) {
	var keep []Timer
	ts := n.timers[i]
	n.timers[i] = nil
	for _, tm := range ts {
		if s != 0 && tm.Step != s {
			keep = append(keep, tm)
			continue
		}
		to := tm.Timeout
		n.step(i, Input{Timeout: &to})
		n.handle(i)
	}
	n.timers[i] = append(keep, n.timers[i]...)
}

func TestNetDecidesHeights(t *testing.T) {
	for _, powers := range [][]uint64{{1, 1, 1, 1}, {5, 1, 1, 1, 2, 3, 1}} {
		t.Run(fmt.Sprint(powers), func(t *testing.T) {
			f := newFixture(t, powers...)
			n := newTestNet(t, f, 10)
			n.deliver()
			for i, d := range n.decided {
				if len(d) != 10 {
					t.Fatalf("node %d decided %d heights, want 10", i, len(d))
				}
				for h := range d {
					if d[h] != n.decided[0][h] {
						t.Fatalf("node %d height %d: %q, node 0: %q", i, h+1, d[h], n.decided[0][h])
					}
				}
			}
		})
	}
}

func TestNetCatchUp(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	late := f.vs.Proposer(0) // the others can decide without the first proposer only by timeouts; pick another
	late = (late + 1) % 4
	n := newTestNet(t, f, 3)
	n.cut[late] = true
	for range 50 {
		n.deliver()
		if len(n.decided[(late+1)%4]) == 3 {
			break
		}
		for i := range n.cores {
			if i != late {
				n.fire(i, 0)
			}
		}
	}
	if len(n.decided[(late+1)%4]) != 3 || len(n.decided[late]) != 0 {
		t.Fatalf("decided without the late node: %d, late: %d", len(n.decided[(late+1)%4]), len(n.decided[late]))
	}
	delete(n.cut, late)
	for range 3 {
		n.fire(late, StepGossip)
		n.deliver()
	}
	if len(n.decided[late]) != 3 {
		t.Fatalf("late node decided %d heights after catching up, want 3", len(n.decided[late]))
	}
	for h, v := range n.decided[late] {
		if v != n.decided[(late+1)%4][h] {
			t.Fatalf("height %d: late node decided %q", h+1, v)
		}
	}
}
