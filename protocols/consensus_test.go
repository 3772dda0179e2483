package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
)

func testProposal(t testing.TB, round, pol int32) *Proposal {
	p := &Proposal{ChainID: "dev", Height: 5, Round: round, POLRound: pol, Value: []byte("block at 5")}
	if err := p.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	return p
}

func testVote(t testing.TB, key byte, typ VoteType, round int32, id []byte) *Vote {
	v := &Vote{ChainID: "dev", Type: typ, Height: 5, Round: round, ValueID: id}
	if err := v.Sign(testKey(key)); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustEncode[T any](t testing.TB, enc func(*T) ([]byte, error), v *T) []byte {
	b, err := enc(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testCommit signs a commit by validators keys[i] for i in signers, over
// a set of all keys sorted as a validator set.
func testCommit(t testing.TB, n int, signers []int) (*Commit, []Validator) {
	var vals []Validator
	for i := range n {
		vals = append(vals, Validator{PubKey: testKey(byte(i + 1)).Public().(ed25519.PublicKey), Power: uint64(i + 1)})
	}
	id := ValueID([]byte("block at 5"))
	c := &Commit{Version: ConsensusVersion, ChainID: "dev", Height: 5, Round: 2, ValueID: id}
	for _, i := range signers {
		v := testVote(t, byte(i+1), Precommit, 2, id)
		c.Sigs = append(c.Sigs, CommitSig{Index: uint32(i), Sig: v.Sig})
	}
	return c, vals
}

func TestProposalRoundTrip(t *testing.T) {
	p := testProposal(t, 3, 1)
	b := mustEncode(t, EncodeProposal, p)
	got, err := DecodeProposal(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify("dev"); err != nil {
		t.Fatal(err)
	}
	if err := got.Verify("main"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("other chain: got %v, want ErrWrongChain", err)
	}
	// The quoted form (no value) verifies too: the signature covers the ID.
	got.Value = nil
	if err := got.Verify("dev"); err != nil {
		t.Fatalf("quoted proposal: %v", err)
	}
	got.POLRound = 0
	if err := got.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered: got %v, want ErrBadSignature", err)
	}
}

func TestVoteRoundTrip(t *testing.T) {
	for _, id := range [][]byte{nil, ValueID([]byte("x"))} {
		v := testVote(t, 2, Prevote, 0, id)
		b := mustEncode(t, EncodeVote, v)
		got, err := DecodeVote(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := got.Verify("dev"); err != nil {
			t.Fatal(err)
		}
		got.Type = Precommit
		if err := got.Verify("dev"); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("prevote accepted as precommit: %v", err)
		}
		// A vote signature is not a proposal signature.
		if err := Verify(v.Validator, "dev", KindProposal, b, v.Sig); err == nil {
			t.Fatal("cross-kind signature verified")
		}
	}
}

func TestDecodeConsensusRejects(t *testing.T) {
	id := ValueID([]byte("x"))
	bad := func(mut func(v *Vote)) []byte {
		v := testVote(t, 2, Prevote, 0, id)
		mut(v)
		b, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := mustEncode(t, EncodeVote, testVote(t, 2, Prevote, 0, id))
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"too-large", make([]byte, MaxVoteSize+1)},
		{"version-2", bad(func(v *Vote) { v.Version = 2 })},
		{"type-0", bad(func(v *Vote) { v.Type = 0 })},
		{"type-3", bad(func(v *Vote) { v.Type = 3 })},
		{"negative-round", bad(func(v *Vote) { v.Round = -1 })},
		{"empty-not-nil-id", bad(func(v *Vote) { v.ValueID = []byte{} })},
		{"garbage-id", bad(func(v *Vote) { v.ValueID = []byte{1, 2, 3} })},
		{"short-key", bad(func(v *Vote) { v.Validator = v.Validator[:31] })},
		{"short-sig", bad(func(v *Vote) { v.Sig = v.Sig[:10] })},
		{"bad-chain", bad(func(v *Vote) { v.ChainID = "Dev" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeVote(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
	p := testProposal(t, 2, -1)
	for name, mut := range map[string]func(p *Proposal){
		"pol-equals-round": func(p *Proposal) { p.POLRound = 2 },
		"pol-below-1":      func(p *Proposal) { p.POLRound = -2 },
		"value-mismatch":   func(p *Proposal) { p.Value = []byte("other") },
		"nil-id":           func(p *Proposal) { p.ValueID = nil },
	} {
		c := *p
		mut(&c)
		b, _ := Marshal(&c)
		if _, err := DecodeProposal(b); err == nil {
			t.Errorf("proposal %s decoded", name)
		}
	}
}

func TestCommitVerify(t *testing.T) {
	// Powers 1..4, total 10: more than 2/3 needs at least 7.
	tests := []struct {
		signers []int
		want    error
	}{
		{[]int{1, 2, 3}, nil},      // 2+3+4 = 9
		{[]int{0, 2, 3}, nil},      // 1+3+4 = 8
		{[]int{2, 3}, nil},         // 3+4 = 7, and 3*7 > 2*10
		{[]int{1, 3}, ErrNoQuorum}, // 6
		{[]int{0, 1, 2}, ErrNoQuorum},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.signers), func(t *testing.T) {
			c, vals := testCommit(t, 4, tt.signers)
			b := mustEncode(t, EncodeCommit, c)
			got, err := DecodeCommit(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Verify("dev", vals); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	c, vals := testCommit(t, 4, []int{1, 2, 3})
	c.Sigs[0].Sig, c.Sigs[1].Sig = c.Sigs[1].Sig, c.Sigs[0].Sig
	if err := c.Verify("dev", vals); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("swapped signatures: %v", err)
	}
	c, vals = testCommit(t, 4, []int{1, 2, 3})
	c.Sigs[0], c.Sigs[1] = c.Sigs[1], c.Sigs[0]
	if _, err := EncodeCommit(c); err == nil {
		t.Fatal("unsorted indices encoded")
	}
	c, _ = testCommit(t, 4, []int{1, 2, 3})
	if err := c.Verify("dev", vals[:2]); err == nil {
		t.Fatal("index beyond the set verified")
	}
}

func TestEvidence(t *testing.T) {
	a := testVote(t, 3, Precommit, 1, ValueID([]byte("a")))
	b := testVote(t, 3, Precommit, 1, ValueID([]byte("b")))
	e1, err := NewEvidence(a, b)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := NewEvidence(b, a)
	if err != nil {
		t.Fatal(err)
	}
	b1 := mustEncode(t, EncodeEvidence, e1)
	if !bytes.Equal(b1, mustEncode(t, EncodeEvidence, e2)) {
		t.Fatal("evidence encoding depends on argument order")
	}
	got, err := DecodeEvidence(b1)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify("dev"); err != nil {
		t.Fatal(err)
	}
	other := testVote(t, 4, Precommit, 1, ValueID([]byte("b")))
	if _, err := NewEvidence(a, other); err == nil {
		t.Fatal("votes of two validators accepted as evidence")
	}
	if _, err := NewEvidence(a, a); err == nil {
		t.Fatal("identical votes accepted as evidence")
	}
	nilVote := testVote(t, 3, Precommit, 1, nil)
	if _, err := NewEvidence(a, nilVote); err != nil {
		t.Fatalf("value and nil precommit: %v", err)
	}
}

func TestCatchupRoundTrip(t *testing.T) {
	req := &CatchupRequest{Version: ConsensusVersion, ChainID: "dev", Height: 5, Round: 1, Step: 2, Prevotes: SetBit(nil, 9)}
	b := mustEncode(t, EncodeCatchupRequest, req)
	got, err := DecodeCatchupRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	if !Has(got.Prevotes, 9) || Has(got.Prevotes, 8) || Has(got.Prevotes, 100) || Has(got.Prevotes, -1) {
		t.Fatalf("bitmap %x", got.Prevotes)
	}
	c, _ := testCommit(t, 4, []int{1, 2, 3})
	resp := &CatchupResponse{
		Version: ConsensusVersion, ChainID: "dev", Height: 5,
		Proposals: []Proposal{*testProposal(t, 2, -1)},
		Votes:     []Vote{*testVote(t, 2, Prevote, 2, nil)},
		Commit:    c, Value: []byte("block at 5"),
	}
	rb := mustEncode(t, EncodeCatchupResponse, resp)
	if _, err := DecodeCatchupResponse(rb); err != nil {
		t.Fatal(err)
	}
	resp.Value = []byte("other")
	if _, err := EncodeCatchupResponse(resp); err == nil {
		t.Fatal("value not matching the commit encoded")
	}
}

func fuzzRoundTrip[T any](t *testing.T, b []byte, dec func([]byte) (*T, error), enc func(*T) ([]byte, error), verify func(*T)) {
	v, err := dec(b)
	if err != nil {
		return
	}
	again, err := enc(v)
	if err != nil {
		t.Fatalf("accepted message does not re-encode: %v", err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("Encode(Decode(b)) != b")
	}
	verify(v)
}

func FuzzDecodeProposal(f *testing.F) {
	f.Add(mustEncode(f, EncodeProposal, testProposal(f, 0, -1)))
	f.Add(mustEncode(f, EncodeProposal, testProposal(f, 7, 3)))
	q := testProposal(f, 1, 0)
	q.Value = nil
	f.Add(mustEncode(f, EncodeProposal, q))
	f.Add([]byte{0x89})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeProposal, EncodeProposal, func(p *Proposal) { _ = p.Verify(p.ChainID) })
	})
}

func FuzzDecodeVote(f *testing.F) {
	f.Add(mustEncode(f, EncodeVote, testVote(f, 1, Prevote, 0, nil)))
	f.Add(mustEncode(f, EncodeVote, testVote(f, 2, Precommit, 9, ValueID([]byte("v")))))
	f.Add([]byte{0x88})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeVote, EncodeVote, func(v *Vote) { _ = v.Verify(v.ChainID) })
	})
}

func FuzzDecodeCommit(f *testing.F) {
	c, vals := testCommit(f, 4, []int{1, 2, 3})
	f.Add(mustEncode(f, EncodeCommit, c))
	c, _ = testCommit(f, 4, []int{0})
	f.Add(mustEncode(f, EncodeCommit, c))
	f.Add([]byte{0x86})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeCommit, EncodeCommit, func(c *Commit) { _ = c.Verify(c.ChainID, vals) })
	})
}

func FuzzDecodeEvidence(f *testing.F) {
	e, err := NewEvidence(testVote(f, 3, Prevote, 1, nil), testVote(f, 3, Prevote, 1, ValueID([]byte("b"))))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustEncode(f, EncodeEvidence, e))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeEvidence, EncodeEvidence, func(e *Evidence) { _ = e.Verify(e.A.ChainID) })
	})
}

func FuzzDecodeCatchupResponse(f *testing.F) {
	c, _ := testCommit(f, 4, []int{1, 2, 3})
	f.Add(mustEncode(f, EncodeCatchupResponse, &CatchupResponse{
		Version: ConsensusVersion, ChainID: "dev", Height: 5,
		Proposals: []Proposal{*testProposal(f, 2, -1)},
		Votes:     []Vote{*testVote(f, 2, Prevote, 2, nil)},
		Commit:    c, Value: []byte("block at 5"),
	}))
	f.Add(mustEncode(f, EncodeCatchupRequest, &CatchupRequest{Version: ConsensusVersion, ChainID: "dev", Height: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRoundTrip(t, b, DecodeCatchupResponse, EncodeCatchupResponse, func(*CatchupResponse) {})
		fuzzRoundTrip(t, b, DecodeCatchupRequest, EncodeCatchupRequest, func(*CatchupRequest) {})
	})
}
