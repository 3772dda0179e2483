package taotest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// Votes records the consensus votes a chain's validators sign, by step
// (validator, height, round, type), as hosts receive or publish them on
// the vote topic and as commit certificates hold them. Two values for one
// step are a double sign, whether or not a consensus core was at that
// height to notice: a core drops votes for other heights, and a restarted
// node's evidence counter starts again at zero. Safe for concurrent use.
type Votes struct {
	chainID string
	ctx     context.Context
	wg      sync.WaitGroup

	mu        sync.Mutex // guards byStep, conflicts, n
	byStep    map[voteStep]seenVote
	conflicts []string
	n         int // votes recorded, repeats included
}

type voteStep struct {
	validator string
	height    uint64
	round     int32
	typ       protocols.VoteType
}

type seenVote struct {
	value    []byte
	where    string
	conflict bool // a second value was seen and reported
}

// NewVotes returns an empty record of chainID's votes, fed by Watch and
// AddCommits until the test ends.
func NewVotes(t testing.TB, chainID string) *Votes {
	v := &Votes{chainID: chainID, ctx: t.Context(), byStep: make(map[voteStep]seenVote)}
	t.Cleanup(v.wg.Wait) // t.Context is done before cleanups run
	return v
}

// WatchVotes starts recording the votes that every node of the network
// receives or publishes, including nodes started later (Add, Restart).
func (nw *Network) WatchVotes(t testing.TB) *Votes {
	t.Helper()
	if nw.Genesis == nil {
		t.Fatal("WatchVotes needs a chain (Options.Validators)")
	}
	nw.votes = NewVotes(t, nw.Genesis.ChainID)
	for i, nd := range nw.Nodes {
		nw.votes.Watch(t, fmt.Sprintf("node %d", i), nd.Host())
	}
	return nw.votes
}

// Watch records the votes host h receives or publishes on the vote topic.
// On a node's host, whose chain joined the topic already, the subscription
// shares that topic and its validator (Join returns it); on a bare host
// the topic is joined here with a validator that checks each vote's
// signature. name labels the host in failures.
func (v *Votes) Watch(t testing.TB, name string, h *p2p.Host) {
	t.Helper()
	top, err := h.Join(protocols.VoteTopic(v.chainID), v.validate)
	if err != nil {
		t.Fatalf("%s: join the vote topic: %v", name, err)
	}
	sub, err := top.Subscribe()
	if err != nil {
		t.Fatalf("%s: subscribe to the vote topic: %v", name, err)
	}
	where := "gossip at " + name
	v.wg.Go(func() {
		defer sub.Cancel()
		for {
			m, err := sub.Next(v.ctx)
			if err != nil {
				return
			}
			// A host's own messages come without the decoded value.
			cm, ok := m.Value.(*protocols.ConsensusMessage)
			if !ok {
				if cm, err = protocols.DecodeConsensusMessage(m.Data); err != nil {
					continue
				}
			}
			if cm.Vote != nil {
				v.add(cm.Vote, where)
			}
		}
	})
}

// validate is a bare host's vote-topic validator: votes must be signed;
// other messages pass.
func (v *Votes) validate(_ context.Context, b []byte) (any, p2p.Verdict) {
	m, err := protocols.DecodeConsensusMessage(b)
	if err != nil {
		return nil, p2p.Reject
	}
	if m.Vote != nil && m.Vote.Verify(v.chainID) != nil {
		return nil, p2p.Reject
	}
	return m, p2p.Accept
}

func (v *Votes) add(vote *protocols.Vote, where string) {
	k := voteStep{string(vote.Validator), vote.Height, vote.Round, vote.Type}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n++
	old, ok := v.byStep[k]
	if !ok {
		v.byStep[k] = seenVote{value: vote.ValueID, where: where}
		return
	}
	if !bytes.Equal(old.value, vote.ValueID) && !old.conflict {
		old.conflict = true // reported once, not once per node that saw it
		v.byStep[k] = old
		v.conflicts = append(v.conflicts, fmt.Sprintf("validator %x signed a %s at height %d round %d for %s (%s) and for %s (%s)",
			vote.Validator[:4], vote.Type, vote.Height, vote.Round, valueName(old.value), old.where, valueName(vote.ValueID), where))
	}
}

func valueName(id []byte) string {
	if len(id) == 0 {
		return "no value"
	}
	return fmt.Sprintf("%x", id)
}

// AddCommits records in v the precommits of every node's stored commit
// certificates of heights from to to (those a node has).
func (nw *Network) AddCommits(t testing.TB, v *Votes, from, to uint64) {
	t.Helper()
	keys := nw.publicKeys(t)
	for i, nd := range nw.Nodes {
		for h := from; h <= to && h <= nd.Ledger().Height(); h++ {
			c := nw.commit(t, i, h)
			if c == nil {
				continue
			}
			for j := range c.Sigs {
				// A signature names its validator by index in the height's
				// set; trying each key needs no set history.
				for _, pub := range keys {
					if p := c.Precommit(j, pub); p.Verify(v.chainID) == nil {
						v.add(p, fmt.Sprintf("certificate at node %d", i))
						break
					}
				}
			}
		}
	}
}

// SignedAbove reports whether a recorded vote at a height above h is
// signed by pub.
func (v *Votes) SignedAbove(pub []byte, h uint64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for k := range v.byStep {
		if k.height > h && k.validator == string(pub) {
			return true
		}
	}
	return false
}

// Count returns how many votes were recorded, repeats included.
func (v *Votes) Count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.n
}

// AssertNoDoubleSign fails the test if a validator signed two values for
// one step, or if nothing was recorded (a watch that saw no votes proves
// nothing).
func (v *Votes) AssertNoDoubleSign(t testing.TB) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n == 0 {
		t.Fatal("no votes recorded: the vote watch saw nothing")
	}
	for _, c := range v.conflicts {
		t.Error(c)
	}
	if len(v.conflicts) > 0 {
		t.FailNow()
	}
}

// AwaitSignedBy waits until a node other than i stores the commit
// certificate of a height above after that holds node i's precommit, and
// returns that height. It shows that node i's votes count: with equal
// powers, the others alone may be a quorum, so the chain moving on proves
// nothing about node i.
func (nw *Network) AwaitSignedBy(t testing.TB, i int, after uint64, timeout time.Duration) uint64 {
	t.Helper()
	pub := nw.Key(t, i).Public().(ed25519.PublicKey)
	next := make([]uint64, len(nw.Nodes)) // per node, the next height to read
	var found uint64
	nw.await(t, timeout, fmt.Sprintf("node %d's precommit in a certificate above height %d", i, after), func() (bool, string) {
		for j, nd := range nw.Nodes {
			if j == i {
				continue
			}
			next[j] = max(next[j], after+1)
			for ; next[j] <= nd.Ledger().Height(); next[j]++ {
				if c := nw.commit(t, j, next[j]); c != nil && signedBy(c, pub) {
					found = next[j]
					return true, ""
				}
			}
		}
		return false, fmt.Sprintf("not in any certificate up to height %d", slices.Max(next)-1)
	})
	return found
}

func signedBy(c *protocols.Commit, pub ed25519.PublicKey) bool {
	for j := range c.Sigs {
		if c.Precommit(j, pub).Verify(c.ChainID) == nil {
			return true
		}
	}
	return false
}

// commit returns node i's certificate of height h, nil if it stores none.
func (nw *Network) commit(t testing.TB, i int, h uint64) *protocols.Commit {
	t.Helper()
	_, raw, err := nw.Nodes[i].Ledger().Block(h)
	if err != nil {
		t.Fatalf("node %d block %d: %v", i, h, err)
	}
	if len(raw) == 0 {
		return nil
	}
	c, err := protocols.DecodeCommit(raw)
	if err != nil {
		t.Fatalf("node %d: certificate of block %d: %v", i, h, err)
	}
	return c
}

// publicKeys returns every node's hotkey.
func (nw *Network) publicKeys(t testing.TB) []ed25519.PublicKey {
	t.Helper()
	keys := make([]ed25519.PublicKey, len(nw.keys))
	for i := range nw.keys {
		keys[i] = nw.Key(t, i).Public().(ed25519.PublicKey)
	}
	return keys
}
