package consensus

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/taonet/tao/protocols"
)

const chain = "dev"

func testKey(i int) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, ed25519.SeedSize))
}

// fixture is a validator set whose keys the test holds, indexed as the
// set orders them.
type fixture struct {
	vs   ValidatorSet
	keys []ed25519.PrivateKey // keys[i] is validator i of vs
}

func newFixture(t testing.TB, powers ...uint64) *fixture {
	t.Helper()
	var vals []protocols.Validator
	byPub := map[string]ed25519.PrivateKey{}
	for i, p := range powers {
		k := testKey(i)
		pub := k.Public().(ed25519.PublicKey)
		byPub[string(pub)] = k
		vals = append(vals, protocols.Validator{PubKey: pub, Power: p})
	}
	vs, err := NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{vs: vs}
	for i := range vs.Len() {
		f.keys = append(f.keys, byPub[string(vs.PubKey(i))])
	}
	return f
}

// core returns a core for validator i at height h.
func (f *fixture) core(t testing.TB, i int, h uint64) *Core {
	t.Helper()
	c, err := New(Config{ChainID: chain, Key: f.keys[i]}, State{Height: h, Validators: f.vs})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// notProposer returns a validator that proposes none of rounds 0..n-1.
func (f *fixture) notProposer(t testing.TB, n int32) int {
	for i := range f.vs.Len() {
		ok := true
		for r := range n {
			ok = ok && f.vs.Proposer(r) != i
		}
		if ok {
			return i
		}
	}
	t.Fatalf("every validator proposes one of rounds 0..%d", n-1)
	return -1
}

func (f *fixture) proposal(t testing.TB, h uint64, r, pol int32, value string) *protocols.Proposal {
	t.Helper()
	p := &protocols.Proposal{ChainID: chain, Height: h, Round: r, POLRound: pol, Value: []byte(value)}
	if err := p.Sign(f.keys[f.vs.Proposer(r)]); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) vote(t testing.TB, i int, typ protocols.VoteType, h uint64, r int32, value string) *protocols.Vote {
	t.Helper()
	v := &protocols.Vote{ChainID: chain, Type: typ, Height: h, Round: r}
	if value != "" {
		v.ValueID = protocols.ValueID([]byte(value))
	}
	if err := v.Sign(f.keys[i]); err != nil {
		t.Fatal(err)
	}
	return v
}

func id(value string) []byte {
	if value == "" {
		return nil
	}
	return protocols.ValueID([]byte(value))
}

func step(t testing.TB, c *Core, in Input) Ready {
	t.Helper()
	if err := c.Step(in); err != nil {
		t.Fatalf("Step: %v", err)
	}
	return c.Ready()
}

// answer validates every requested value as valid unless its bytes start
// with "bad", and returns the Ready after the answers.
func answer(t testing.TB, c *Core, rd Ready) Ready {
	t.Helper()
	for len(rd.Validate) > 0 {
		var next Ready
		for _, v := range rd.Validate {
			next = merge(next, step(t, c, Input{Validity: &Validity{Height: v.Height, ValueID: v.ValueID,
				Valid: !bytes.HasPrefix(v.Value, []byte("bad"))}}))
		}
		rd = merge(rd, next)
		rd.Validate = next.Validate
	}
	return rd
}

func merge(a, b Ready) Ready {
	a.WAL = append(a.WAL, b.WAL...)
	if b.SignState != nil {
		a.SignState = b.SignState
	}
	a.Messages = append(a.Messages, b.Messages...)
	a.Timers = append(a.Timers, b.Timers...)
	if b.Propose != nil {
		a.Propose = b.Propose
	}
	a.Validate = append(a.Validate, b.Validate...)
	if b.Decision != nil {
		a.Decision = b.Decision
	}
	a.Evidence = append(a.Evidence, b.Evidence...)
	a.Serve = append(a.Serve, b.Serve...)
	return a
}

// votes returns the votes of type typ among rd's messages, as
// "type/round/value" strings with value "nil" for nil.
func votes(rd Ready) []string {
	var out []string
	for _, m := range rd.Messages {
		if v := m.Vote; v != nil {
			val := "nil"
			if v.ValueID != nil {
				val = fmt.Sprintf("%x", v.ValueID[len(v.ValueID)-3:])
			}
			out = append(out, fmt.Sprintf("%s/%d/%s", v.Type, v.Round, val))
		}
	}
	return out
}

func voteStr(typ protocols.VoteType, r int32, value string) string {
	val := "nil"
	if value != "" {
		b := id(value)
		val = fmt.Sprintf("%x", b[len(b)-3:])
	}
	return fmt.Sprintf("%s/%d/%s", typ, r, val)
}

func hasTimer(rd Ready, s Step, r int32) bool {
	for _, t := range rd.Timers {
		if t.Step == s && t.Round == r {
			return true
		}
	}
	return false
}
