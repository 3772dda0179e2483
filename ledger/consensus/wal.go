package consensus

import (
	"errors"
	"fmt"
	"sync"

	"github.com/taonet/tao/protocols"
)

// The write-ahead log holds the inputs that changed the core's state at
// the current height. The core is deterministic, so a new core at that
// height fed the same records (Replay) reaches the same state, and signs
// the same messages, as the one that crashed. The core names the records
// (Ready.WAL); the driver persists them before it sends Ready.Messages.

// MaxRecordSize bounds an encoded Record.
const MaxRecordSize = protocols.MaxProposalSize + protocols.MaxCommitSize + 1024

// ErrBadRecord reports a WAL record that does not decode or holds not
// exactly one input of its height.
var ErrBadRecord = errors.New("consensus: malformed WAL record")

// Record is one logged input. Exactly one field other than Height is set.
type Record struct {
	_         struct{} `cbor:",toarray"`
	Height    uint64
	Proposal  *protocols.Proposal
	Vote      *protocols.Vote
	Certified *Certified
	Quorum    *Quorum
	Timeout   *Timeout
	Value     *ProposedValue
	Validity  *Validity
}

// Input returns the input r logged.
func (r *Record) Input() Input {
	return Input{Proposal: r.Proposal, Vote: r.Vote, Certified: r.Certified, Quorum: r.Quorum,
		Timeout: r.Timeout, Value: r.Value, Validity: r.Validity}
}

func recordOf(h uint64, in Input) Record {
	return Record{Height: h, Proposal: in.Proposal, Vote: in.Vote, Certified: in.Certified,
		Quorum: in.Quorum, Timeout: in.Timeout, Value: in.Value, Validity: in.Validity}
}

func (r *Record) validate() error {
	n, h := 0, uint64(0)
	var err error
	if r.Proposal != nil {
		n, h = n+1, r.Proposal.Height
		_, err = protocols.EncodeProposal(r.Proposal)
	}
	if r.Vote != nil {
		n, h = n+1, r.Vote.Height
		_, err = protocols.EncodeVote(r.Vote)
	}
	if r.Certified != nil {
		n, h = n+1, r.Certified.Commit.Height
		_, err = protocols.EncodeCommit(&r.Certified.Commit)
	}
	if q := r.Quorum; q != nil {
		n++
		if len(q.Votes) == 0 || len(q.Votes) > protocols.MaxCatchupVotes {
			return fmt.Errorf("%w: quorum of %d votes", ErrBadRecord, len(q.Votes))
		}
		h = q.Votes[0].Height
		for i := range q.Votes {
			if _, e := protocols.EncodeVote(&q.Votes[i]); e != nil {
				err = e
			}
		}
	}
	if r.Timeout != nil {
		n, h = n+1, r.Timeout.Height
	}
	if r.Value != nil {
		n, h = n+1, r.Value.Height
	}
	if r.Validity != nil {
		n, h = n+1, r.Validity.Height
	}
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrBadRecord, err)
	case n != 1:
		return fmt.Errorf("%w: %d inputs", ErrBadRecord, n)
	case h != r.Height:
		return fmt.Errorf("%w: input of height %d in a record of height %d", ErrBadRecord, h, r.Height)
	}
	return nil
}

// EncodeRecord returns the canonical encoding of r.
func EncodeRecord(r *Record) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return protocols.Marshal(r)
}

// DecodeRecord decodes and checks a Record. Signatures are not verified:
// the log is this node's own disk; Replay re-checks them through the core.
func DecodeRecord(b []byte) (*Record, error) {
	var r Record
	if err := protocols.Unmarshal(b, &r, MaxRecordSize); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// WAL is the write-ahead log a driver keeps for its core.
type WAL interface {
	// Append durably adds records after those already logged.
	Append(recs []Record) error
	// Records returns the records of height h, in the order appended.
	Records(h uint64) ([]Record, error)
	// Prune drops the records of heights below h (decided and stored).
	Prune(h uint64) error
}

// MemWAL is a WAL in memory. It stores encoded records, as a file would,
// so that a simulated crash exercises the codec. Safe for concurrent use.
type MemWAL struct {
	mu   sync.Mutex // guards recs
	recs []memRecord
}

type memRecord struct {
	height uint64
	b      []byte
}

var _ WAL = (*MemWAL)(nil)

// Append encodes and adds recs.
func (w *MemWAL) Append(recs []Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range recs {
		b, err := EncodeRecord(&recs[i])
		if err != nil {
			return err
		}
		w.recs = append(w.recs, memRecord{recs[i].Height, b})
	}
	return nil
}

// Records decodes the records of height h.
func (w *MemWAL) Records(h uint64) ([]Record, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Record
	for _, m := range w.recs {
		if m.height != h {
			continue
		}
		r, err := DecodeRecord(m.b)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// Prune drops records below height h.
func (w *MemWAL) Prune(h uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	kept := w.recs[:0]
	for _, m := range w.recs {
		if m.height >= h {
			kept = append(kept, m)
		}
	}
	clear(w.recs[len(kept):])
	w.recs = kept
	return nil
}

// Len returns the number of records held.
func (w *MemWAL) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.recs)
}

// Replay feeds c the records of its height, in order, rebuilding the state
// a crashed core had reached. Call it on a core fresh from New, before any
// other input. Records are not logged again (Ready.WAL stays empty for
// them); messages the core re-signs are re-sent, which is harmless. Messages
// the sign guard has moved past are rebuilt for the core's own state but
// not sent.
func Replay(c *Core, recs []Record) error {
	c.replaying = true
	defer func() { c.replaying = false }()
	for i := range recs {
		if recs[i].Height != c.height {
			continue
		}
		if err := c.Step(recs[i].Input()); err != nil {
			return fmt.Errorf("replay WAL record %d of height %d: %w", i, c.height, err)
		}
	}
	return nil
}
