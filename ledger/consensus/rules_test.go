package consensus

import (
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

// Table tests of Algorithm 1's rules, one core (the system under test,
// "sut") fed hand-made messages of a 4-validator set of equal power:
// 2f+1 is any 3 validators, f+1 any 2.

const (
	pv = protocols.Prevote
	pc = protocols.Precommit
)

type scene struct {
	t   *testing.T
	f   *fixture
	sut int
	c   *Core
	wal MemWAL // every record the sut asked to log
}

func newScene(t *testing.T, sut func(f *fixture) int) *scene {
	f := newFixture(t, 10, 10, 10, 10)
	s := &scene{t: t, f: f}
	if sut == nil {
		s.sut = f.notProposer(t, 3)
	} else {
		s.sut = sut(f)
	}
	s.c = f.core(t, s.sut, 1)
	s.c.Ready()
	return s
}

// others returns n validators other than the sut.
func (s *scene) others(n int) []int {
	var out []int
	for i := range s.f.vs.Len() {
		if i != s.sut && len(out) < n {
			out = append(out, i)
		}
	}
	return out
}

func (s *scene) in(in Input) Ready {
	s.t.Helper()
	rd := answer(s.t, s.c, step(s.t, s.c, in))
	if err := s.wal.Append(rd.WAL); err != nil {
		s.t.Fatal(err)
	}
	return rd
}

func (s *scene) propose(r, pol int32, value string) Ready {
	return s.in(Input{Proposal: s.f.proposal(s.t, 1, r, pol, value)})
}

// votes feeds votes of typ in round r for value from validators who.
func (s *scene) votes(typ protocols.VoteType, r int32, value string, who ...int) Ready {
	var rd Ready
	for _, i := range who {
		rd = merge(rd, s.in(Input{Vote: s.f.vote(s.t, i, typ, 1, r, value)}))
	}
	return rd
}

func (s *scene) timeout(st Step, r int32) Ready {
	return s.in(Input{Timeout: &Timeout{Height: 1, Round: r, Step: st}})
}

// lock makes the sut lock on value in round r (from the propose step of r).
func (s *scene) lock(r int32, value string) {
	s.propose(r, -1, value)
	s.votes(pv, r, value, s.others(2)...)
	if got, gr := s.c.Locked(); string(got) != string(id(value)) || gr != r {
		s.t.Fatalf("lock: locked on %x in round %d", got, gr)
	}
}

// nextRound ends round r by 2f+1 nil precommits and the precommit timeout.
func (s *scene) nextRound(r int32) {
	s.votes(pc, r, "", s.others(3)...)
	s.timeout(StepPrecommit, r)
	if s.c.Round() != r+1 {
		s.t.Fatalf("round %d, want %d", s.c.Round(), r+1)
	}
}

func wantVotes(t *testing.T, rd Ready, want ...string) {
	t.Helper()
	if got := votes(rd); !slices.Equal(got, want) {
		t.Fatalf("votes sent: got %v, want %v", got, want)
	}
}

func TestPrevoteOnProposal(t *testing.T) { // lines 22-27
	tests := []struct {
		name  string
		setup func(s *scene) // leaves the sut in the propose step of round 1
		pol   int32
		value string
		want  string
	}{
		{"valid", func(s *scene) { s.nextRound(0) }, -1, "A", voteStr(pv, 1, "A")},
		{"invalid", func(s *scene) { s.nextRound(0) }, -1, "badA", voteStr(pv, 1, "")},
		{"locked-on-it", func(s *scene) { s.lock(0, "A"); s.nextRound(0) }, -1, "A", voteStr(pv, 1, "A")},
		{"locked-on-other", func(s *scene) { s.lock(0, "B"); s.nextRound(0) }, -1, "A", voteStr(pv, 1, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScene(t, nil)
			tt.setup(s)
			wantVotes(t, s.propose(1, tt.pol, tt.value), tt.want)
			if s.c.CurrentStep() != StepPrevote {
				t.Fatalf("step %s, want prevote", s.c.CurrentStep())
			}
		})
	}
}

func TestPrevoteOnProofOfLock(t *testing.T) { // lines 28-33
	t.Run("unlock-on-higher-pol", func(t *testing.T) {
		s := newScene(t, nil)
		s.lock(0, "B")
		s.nextRound(0)
		wantVotes(t, s.propose(1, -1, "A"), voteStr(pv, 1, ""))
		s.votes(pc, 1, "", s.others(3)...)
		s.timeout(StepPrecommit, 1)
		s.votes(pv, 1, "A", s.others(3)...) // the POL, seen late, from round 1
		wantVotes(t, s.propose(2, 1, "A"), voteStr(pv, 2, "A"))
	})
	t.Run("older-pol-than-lock", func(t *testing.T) {
		s := newScene(t, nil)
		s.votes(pv, 0, "A", s.others(3)...)
		s.timeout(StepPropose, 0) // the sut missed round 0's proposal: no lock
		s.nextRound(0)
		s.lock(1, "B")
		s.votes(pc, 1, "", s.others(3)...)
		s.timeout(StepPrecommit, 1)
		wantVotes(t, s.propose(2, 0, "A"), voteStr(pv, 2, ""))
	})
	t.Run("waits-for-pol", func(t *testing.T) {
		s := newScene(t, nil)
		s.nextRound(0)
		wantVotes(t, s.propose(1, 0, "A")) // no POL yet: nothing
		wantVotes(t, s.votes(pv, 0, "A", s.others(3)...), voteStr(pv, 1, "A"))
	})
}

func TestLockAndValidValue(t *testing.T) { // lines 36-43
	s := newScene(t, func(f *fixture) int { return f.vs.Proposer(1) })
	if s.f.vs.Proposer(0) == s.sut {
		t.Skip("proposer of rounds 0 and 1 coincide")
	}
	s.timeout(StepPropose, 0)
	o := s.others(3)
	s.votes(pv, 0, "A", o[0], o[1])
	if rd := s.timeout(StepPrevote, 0); !slices.Equal(votes(rd), []string{voteStr(pc, 0, "")}) {
		t.Fatalf("prevote timeout: %v", votes(rd))
	}
	s.propose(0, -1, "A")
	s.votes(pv, 0, "A", o[2])
	if v, r := s.c.Valid(); string(v) != string(id("A")) || r != 0 {
		t.Fatalf("validValue %x round %d, want A in 0", v, r)
	}
	if v, r := s.c.Locked(); v != nil || r != -1 {
		t.Fatalf("locked on %x in %d after precommitting nil", v, r)
	}
	s.votes(pc, 0, "", o...)
	rd := s.timeout(StepPrecommit, 0)
	var prop *protocols.Proposal
	for _, m := range rd.Messages {
		if m.Proposal != nil {
			prop = m.Proposal
		}
	}
	if prop == nil || prop.POLRound != 0 || string(prop.Value) != "A" || rd.Propose != nil {
		t.Fatalf("round 1 proposer did not re-propose validValue A with POL round 0: %+v", prop)
	}
}

func TestPrecommitRules(t *testing.T) {
	t.Run("lock-precommits-value", func(t *testing.T) {
		s := newScene(t, nil)
		s.propose(0, -1, "A")
		wantVotes(t, s.votes(pv, 0, "A", s.others(2)...), voteStr(pc, 0, "A"))
	})
	t.Run("nil-quorum-precommits-nil", func(t *testing.T) { // line 44
		s := newScene(t, nil)
		s.propose(0, -1, "A")
		wantVotes(t, s.votes(pv, 0, "", s.others(3)...), voteStr(pc, 0, ""))
	})
	t.Run("split-waits-for-timeout", func(t *testing.T) { // line 34
		s := newScene(t, nil)
		s.propose(0, -1, "A")
		o := s.others(3)
		rd := s.votes(pv, 0, "", o[0])
		if len(votes(rd)) != 0 || hasTimer(rd, StepPrevote, 0) {
			t.Fatalf("acted before 2f+1 prevotes: %v", votes(rd))
		}
		rd = s.votes(pv, 0, "B", o[1]) // sut A, one nil, one B: 2f+1 for anything, no quorum
		if !hasTimer(rd, StepPrevote, 0) || len(votes(rd)) != 0 {
			t.Fatalf("want a prevote timer only, got %v", votes(rd))
		}
		wantVotes(t, s.timeout(StepPrevote, 0), voteStr(pc, 0, ""))
	})
	t.Run("precommit-timer-once", func(t *testing.T) { // line 47
		s := newScene(t, nil)
		o := s.others(3)
		rd := s.votes(pc, 0, "B", o[0], o[1], o[2])
		n := 0
		for _, tm := range rd.Timers {
			if tm.Step == StepPrecommit {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d precommit timers, want 1", n)
		}
	})
}

func TestTimeouts(t *testing.T) {
	s := newScene(t, nil)
	wantVotes(t, s.timeout(StepPrevote, 0)) // wrong step: ignored
	wantVotes(t, s.timeout(StepPropose, 0), voteStr(pv, 0, ""))
	wantVotes(t, s.timeout(StepPropose, 0)) // stale
	rd := s.timeout(StepPrecommit, 0)
	if s.c.Round() != 1 || !hasTimer(rd, StepPropose, 1) {
		t.Fatalf("precommit timeout: round %d", s.c.Round())
	}
	cfg := s.c.cfg
	for _, tm := range rd.Timers {
		if tm.Step == StepPropose && tm.Duration != cfg.TimeoutPropose+cfg.TimeoutProposeDelta {
			t.Fatalf("round 1 propose timeout %d, want base+delta", tm.Duration)
		}
	}
	if got, want := cfg.timeout(StepPrecommit, 4), cfg.TimeoutPrecommit+4*cfg.TimeoutPrecommitDelta; got != want {
		t.Fatalf("round 4 precommit timeout %d, want %d", got, want)
	}
	if got := cfg.timeout(StepPrevote, 1<<30); got != maxTimeout {
		t.Fatalf("huge round: %d", got)
	}
}

func TestRoundSkip(t *testing.T) { // line 55
	t.Run("equal-power", func(t *testing.T) {
		s := newScene(t, nil)
		o := s.others(3)
		s.votes(pv, 5, "", o[0])
		if s.c.Round() != 0 {
			t.Fatalf("skipped on f messages to round %d", s.c.Round())
		}
		rd := s.votes(pc, 7, "A", o[1])
		if s.c.Round() != 5 || !hasTimer(rd, StepPropose, 5) {
			t.Fatalf("round %d after f+1 validators in rounds >= 5, want 5", s.c.Round())
		}
	})
	t.Run("heavy-validator", func(t *testing.T) {
		f := newFixture(t, 1, 1, 1, 5) // one validator holds 5/8 > 1/3
		heavy := 0
		for i := range f.vs.Len() {
			if f.vs.Power(i) == 5 {
				heavy = i
			}
		}
		sut := (heavy + 1) % 4
		c := f.core(t, sut, 1)
		step(t, c, Input{Vote: f.vote(t, heavy, pv, 1, 9, "")})
		if c.Round() != 9 {
			t.Fatalf("round %d, want 9", c.Round())
		}
	})
}

func TestDecide(t *testing.T) { // line 49
	t.Run("current-round", func(t *testing.T) {
		s := newScene(t, nil)
		s.propose(0, -1, "A")
		rd := s.votes(pc, 0, "A", s.others(3)...)
		d := rd.Decision
		if d == nil || string(d.Value) != "A" || d.Height != 1 || d.Round != 0 {
			t.Fatalf("decision %+v", d)
		}
		if err := d.Commit.Verify(chain, s.f.vs.Validators()); err != nil {
			t.Fatalf("commit: %v", err)
		}
		if s.c.CurrentStep() != StepCommit {
			t.Fatalf("step %s after deciding", s.c.CurrentStep())
		}
	})
	t.Run("past-round", func(t *testing.T) {
		s := newScene(t, nil)
		s.timeout(StepPrecommit, 0) // a driver may fire any timeout: rounds 0 and 1 end
		s.timeout(StepPrecommit, 1)
		s.votes(pc, 0, "A", s.others(3)...)
		if s.c.HasReady() {
			t.Fatal("decided without the value")
		}
		rd := s.propose(0, -1, "A")
		if rd.Decision == nil || rd.Decision.Round != 0 {
			t.Fatalf("no decision in past round 0: %+v", rd.Decision)
		}
	})
	t.Run("invalid-value", func(t *testing.T) {
		s := newScene(t, nil)
		s.propose(0, -1, "badA")
		if rd := s.votes(pc, 0, "badA", s.others(3)...); rd.Decision != nil {
			t.Fatal("decided an invalid value")
		}
	})
	t.Run("advance", func(t *testing.T) {
		s := newScene(t, nil)
		s.propose(0, -1, "A")
		s.in(Input{Vote: s.f.vote(t, s.others(1)[0], pv, 2, 0, "X")}) // early vote for height 2: kept
		s.votes(pc, 0, "A", s.others(3)...)
		if err := s.c.Advance(s.f.vs.Next()); err != nil {
			t.Fatal(err)
		}
		if s.c.Height() != 2 || s.c.Round() != 0 {
			t.Fatalf("at %d/%d after Advance", s.c.Height(), s.c.Round())
		}
		if rs := s.c.rounds[0]; rs == nil || rs.prevotes.sum == 0 {
			t.Fatal("early vote for height 2 lost")
		}
		if err := s.c.Advance(s.f.vs); err != ErrNotDecided {
			t.Fatalf("second Advance: %v", err)
		}
	})
}

// TestFarRoundsBounded: a validator signing ever higher rounds keeps one
// far round in memory, not one per round.
func TestFarRoundsBounded(t *testing.T) {
	s := newScene(t, nil)
	byz := s.others(1)[0]
	for r := int32(10); r < 200; r++ {
		s.votes(pc, r, "A", byz)
	}
	if n := len(s.c.rounds); n > 3 {
		t.Fatalf("%d round states after one validator's 190 far rounds", n)
	}
	if s.c.Round() != 0 {
		t.Fatalf("one validator (f) moved the sut to round %d", s.c.Round())
	}
}
