package consensus

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

func TestSignStateAllows(t *testing.T) {
	last := SignState{Height: 5, Round: 2, Step: StepPrevote, ValueID: id("A")}
	tests := []struct {
		name string
		next SignState
		want bool
	}{
		{"same", last, true},
		{"same-hrs-other-value", SignState{Height: 5, Round: 2, Step: StepPrevote, ValueID: id("B")}, false},
		{"same-hrs-nil", SignState{Height: 5, Round: 2, Step: StepPrevote}, false},
		{"later-step", SignState{Height: 5, Round: 2, Step: StepPrecommit, ValueID: id("B")}, true},
		{"earlier-step", SignState{Height: 5, Round: 2, Step: StepPropose, ValueID: id("A")}, false},
		{"earlier-round", SignState{Height: 5, Round: 1, Step: StepPrecommit}, false},
		{"later-round", SignState{Height: 5, Round: 3, Step: StepPropose}, true},
		{"earlier-height", SignState{Height: 4, Round: 9, Step: StepPrecommit}, false},
		{"later-height", SignState{Height: 6}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := last.Allows(tt.next); got != tt.want {
				t.Fatalf("Allows: got %v, want %v", got, tt.want)
			}
			g := &MemGuard{}
			if err := g.Save(last); err != nil {
				t.Fatal(err)
			}
			err := g.Save(tt.next)
			if tt.want != (err == nil) || (err != nil && !errors.Is(err, ErrDoubleSign)) {
				t.Fatalf("MemGuard.Save: %v", err)
			}
		})
	}
}

// TestGuardSurvivesLostWAL restarts a validator that signed up to round 2
// with an empty WAL: it must not sign anything in rounds 0-2 again.
func TestGuardSurvivesLostWAL(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	sut := f.notProposer(t, 3)
	last := SignState{Height: 1, Round: 2, Step: StepPrecommit, ValueID: id("B")}
	c, err := New(Config{ChainID: chain, Key: f.keys[sut]}, State{Height: 1, Validators: f.vs, LastSigned: last})
	if err != nil {
		t.Fatal(err)
	}
	c.Ready()
	rd := answer(t, c, step(t, c, Input{Proposal: f.proposal(t, 1, 0, -1, "A")}))
	if len(votes(rd)) != 0 || rd.SignState != nil {
		t.Fatalf("signed below the guard: %v", votes(rd))
	}
	if c.CurrentStep() != StepPrevote {
		t.Fatalf("step %s: the core must move on even when it may not sign", c.CurrentStep())
	}
	// Round 3 is past the guard: signing resumes.
	for _, i := range []int{(sut + 1) % 4, (sut + 2) % 4} {
		step(t, c, Input{Vote: f.vote(t, i, pv, 1, 3, "")})
	}
	rd = answer(t, c, step(t, c, Input{Timeout: &Timeout{Height: 1, Round: 3, Step: StepPropose}}))
	// Its nil prevote makes 2f+1 nil prevotes with the others': it precommits nil too.
	if got := votes(rd); !slices.Equal(got, []string{voteStr(pv, 3, ""), voteStr(pc, 3, "")}) || rd.SignState == nil {
		t.Fatalf("round 3: %v", got)
	}
}

func TestReplayRebuildsState(t *testing.T) {
	s := newScene(t, nil)
	s.lock(0, "B")
	s.nextRound(0)
	s.propose(1, -1, "A")
	o := s.others(3)
	s.votes(pv, 1, "A", o[0], o[1])
	s.votes(pv, 1, "", o[2])
	s.timeout(StepPrevote, 1)
	s.votes(pc, 1, "", o[0])

	recs, err := s.wal.Records(1)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := New(Config{ChainID: chain, Key: s.f.keys[s.sut]},
		State{Height: 1, Validators: s.f.vs, LastSigned: s.c.LastSigned()})
	if err != nil {
		t.Fatal(err)
	}
	if err := Replay(c2, recs); err != nil {
		t.Fatal(err)
	}
	rd := c2.Ready()
	if len(rd.WAL) != 0 {
		t.Fatalf("replay logged %d records again", len(rd.WAL))
	}
	type view struct {
		Round       int32
		Step        Step
		Locked      string
		LockedRound int32
		Valid       string
		ValidRound  int32
		Last        string
	}
	see := func(c *Core) view {
		l, lr := c.Locked()
		v, vr := c.Valid()
		return view{c.Round(), c.CurrentStep(), string(l), lr, string(v), vr, c.LastSigned().String()}
	}
	if a, b := see(s.c), see(c2); a != b {
		t.Fatalf("replayed core differs:\n got %+v\nwant %+v", b, a)
	}
	// Only the last signed message is sent again; the earlier ones are
	// rebuilt for the core's own tallies but the guard keeps them home.
	if got := votes(rd); !slices.Equal(got, []string{voteStr(pc, 1, "")}) {
		t.Fatalf("replay sent %v", got)
	}
	if rs := c2.rounds[0]; rs.prevotes.votes[s.sut] == nil || rs.precommits.votes[s.sut] == nil {
		t.Fatal("own round-0 votes missing after replay")
	}
}

func TestRecordCodec(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	recs := []Record{
		{Height: 1, Proposal: f.proposal(t, 1, 0, -1, "A")},
		{Height: 1, Vote: f.vote(t, 2, pc, 1, 3, "")},
		{Height: 1, Timeout: &Timeout{Height: 1, Round: 2, Step: StepPrevote}},
		{Height: 1, Value: &ProposedValue{Height: 1, Round: 4, Value: []byte("v")}},
		{Height: 1, Validity: &Validity{Height: 1, ValueID: id("A"), Valid: true}},
	}
	for i := range recs {
		b, err := EncodeRecord(&recs[i])
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := EncodeRecord(got)
		if !bytes.Equal(again, b) {
			t.Fatalf("record %d does not round-trip", i)
		}
	}
	for name, r := range map[string]Record{
		"empty":        {Height: 1},
		"two":          {Height: 1, Timeout: &Timeout{Height: 1}, Value: &ProposedValue{Height: 1}},
		"wrong-height": {Height: 2, Timeout: &Timeout{Height: 1}},
	} {
		if _, err := EncodeRecord(&r); err == nil {
			t.Errorf("%s record encoded", name)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	fx := newFixture(f, 1, 1, 1, 1)
	for _, r := range []Record{
		{Height: 1, Proposal: fx.proposal(f, 1, 0, -1, "A")},
		{Height: 1, Vote: fx.vote(f, 2, pc, 1, 3, "")},
		{Height: 7, Timeout: &Timeout{Height: 7, Round: 2, Step: StepPrevote}},
	} {
		b, err := EncodeRecord(&r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord(b)
		if err != nil {
			return
		}
		again, err := EncodeRecord(r)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted record does not re-encode: %v", err)
		}
	})
}

func TestEvidenceOnEquivocation(t *testing.T) {
	s := newScene(t, nil)
	o := s.others(1)[0]
	s.votes(pv, 0, "A", o)
	rd := s.votes(pv, 0, "B", o)
	if len(rd.Evidence) != 1 {
		t.Fatalf("%d evidence, want 1", len(rd.Evidence))
	}
	e := rd.Evidence[0]
	if err := e.Verify(chain); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.A.Validator, s.f.vs.PubKey(o)) {
		t.Fatal("evidence names the wrong validator")
	}
	if rd := s.votes(pv, 0, "", o); len(rd.Evidence) != 0 {
		t.Fatal("the same equivocation reported twice")
	}
	// The first vote still counts, the second not.
	if v := s.c.rounds[0].prevotes.votes[o]; !bytes.Equal(v.ValueID, id("A")) {
		t.Fatal("equivocating vote replaced the first")
	}
	if rd := s.votes(pc, 0, "A", o); len(rd.Evidence) != 0 {
		t.Fatal("a precommit after a prevote is no equivocation")
	}
}

func TestRejectsForgeries(t *testing.T) {
	s := newScene(t, nil)
	v := s.f.vote(t, 1, pv, 1, 0, "A")
	v.Round = 1 // signature no longer matches
	if err := s.c.Step(Input{Vote: v}); !errors.Is(err, protocols.ErrBadSignature) {
		t.Fatalf("tampered vote: %v", err)
	}
	p := s.f.proposal(t, 1, 0, -1, "A")
	p.Proposer = s.f.vs.PubKey((s.f.vs.Proposer(0) + 1) % 4)
	if err := s.c.Step(Input{Proposal: p}); !errors.Is(err, ErrNotProposer) {
		t.Fatalf("proposal from a non-proposer: %v", err)
	}
	stranger := &protocols.Vote{ChainID: chain, Type: pv, Height: 1}
	if err := stranger.Sign(testKey(40)); err != nil {
		t.Fatal(err)
	}
	if err := s.c.Step(Input{Vote: stranger}); !errors.Is(err, ErrNotValidator) {
		t.Fatalf("vote of a stranger: %v", err)
	}
	if err := s.c.Step(Input{}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("empty input: %v", err)
	}
	if s.c.HasReady() {
		t.Fatal("forgeries produced output")
	}
}
