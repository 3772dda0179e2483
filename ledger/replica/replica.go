package replica

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/ledger/consensus/walfile"
	"github.com/taonet/tao/protocols"
)

// Transport moves consensus messages between nodes.
type Transport interface {
	// Gossip publishes m to every peer.
	Gossip(ctx context.Context, m *protocols.ConsensusMessage) error
	// Send delivers m to one peer, named as in Deliver's from.
	Send(ctx context.Context, peer string, m *protocols.ConsensusMessage) error
}

// Config configures a Replica.
type Config struct {
	// Ledger is the node's ledger. Required.
	Ledger *ledger.Ledger
	// Key is the validator's hotkey. Nil: follow the chain without voting.
	Key ed25519.PrivateKey
	// Dir holds the WAL and the signing guard. Required.
	Dir string
	// Transport sends messages. Required.
	Transport Transport
	// Consensus tunes the core (timeouts). ChainID and Key are set from
	// the ledger and Key.
	Consensus consensus.Config
	// OnEvidence is told of each equivocation the core detects, after it
	// was gossiped, so the node can report it to the ledger (which slashes
	// and jails). It runs on the consensus loop: it must not block.
	OnEvidence func(*protocols.Evidence)
	// OnBadPeer is told of a peer whose message failed verification. Nil:
	// ignored.
	OnBadPeer func(peer string, err error)
	// OnCommit is called after each block is committed, on the replica's
	// goroutine; it must not block. Nil: none.
	OnCommit func(b *protocols.Block)
	// Logger receives logs. Nil: discarded.
	Logger *slog.Logger
}

// Status is a replica's progress.
type Status struct {
	Height     uint64 `json:"height"` // last committed block
	Round      int32  `json:"round"`  // round of the height being decided
	Step       string `json:"step"`
	PeerHeight uint64 `json:"peer_height"` // highest height a peer reported
	Syncing    bool   `json:"syncing"`     // peers are more than one block ahead
	Validator  bool   `json:"validator"`   // this node votes
	Evidence   int    `json:"evidence"`    // equivocations seen since start
}

// Replica runs consensus for one node. Its methods are safe for
// concurrent use.
type Replica struct {
	cfg    Config
	log    *slog.Logger
	l      *ledger.Ledger
	guard  *walfile.Guard
	wal    *walfile.WAL
	core   *consensus.Core
	blocks decoded // proposals decoded (or built) at the heights being decided

	net   chan consensus.Input // from peers; dropped when full
	local chan consensus.Input // timers and the ledger's answers; never dropped
	certs chan certReq         // ApplyCertified's blocks
	bulk  atomic.Bool          // block sync is running (SetBulkSync)

	loopDone   chan struct{} // closed when the loop ends
	certHeight uint64        // height applyCertified is deciding; owned by the loop

	startOnce, closeOnce sync.Once
	startErr             error
	cancel               context.CancelFunc
	wg                   sync.WaitGroup

	mu     sync.Mutex // guards status, stopped
	status Status
}

// New validates cfg; it starts nothing.
func New(cfg Config) (*Replica, error) {
	switch {
	case cfg.Ledger == nil:
		return nil, errors.New("replica: no ledger")
	case cfg.Dir == "":
		return nil, errors.New("replica: no directory for the WAL and signing guard")
	case cfg.Transport == nil:
		return nil, errors.New("replica: no transport")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Consensus.ChainID = cfg.Ledger.Chain().ID
	cfg.Consensus.Key = cfg.Key
	return &Replica{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "consensus"),
		l:        cfg.Ledger,
		net:      make(chan consensus.Input, 4096),
		local:    make(chan consensus.Input, 256),
		certs:    make(chan certReq),
		loopDone: make(chan struct{}),
	}, nil
}

// Start rebuilds the core at the ledger's next height (replaying the WAL
// after a crash) and starts the loop. A second call returns the first's
// result.
func (r *Replica) Start(ctx context.Context) error {
	r.startOnce.Do(func() { r.startErr = r.start(ctx) })
	return r.startErr
}

func (r *Replica) start(ctx context.Context) error {
	var err error
	if err := os.MkdirAll(r.cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	if r.guard, err = walfile.OpenGuard(filepath.Join(r.cfg.Dir, "sign_guard")); err != nil {
		return fmt.Errorf("replica: %w (the signing guard is damaged; if this validator signed nothing at the current height, move it away)", err)
	}
	if r.wal, err = walfile.Open(filepath.Join(r.cfg.Dir, "wal")); err != nil {
		return err
	}
	st, err := r.startState()
	if err != nil {
		return err
	}
	if r.core, err = consensus.New(r.cfg.Consensus, st); err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	recs, err := r.wal.Records(st.Height)
	if err != nil {
		return fmt.Errorf("replica: %w (the WAL in %s is damaged; moving it away loses only this height's votes)", err, r.cfg.Dir)
	}
	if err := consensus.Replay(r.core, recs); err != nil {
		return fmt.Errorf("replica: replay WAL: %w", err)
	}
	r.setStatus()
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.wg.Go(func() {
		defer close(r.loopDone)
		r.run(ctx)
	})
	r.log.Info("consensus started", "height", st.Height, "validators", st.Validators.Len(),
		"validator", r.cfg.Key != nil && st.Validators.Index(r.cfg.Key.Public().(ed25519.PublicKey)) >= 0,
		"replayed", len(recs))
	return nil
}

// startState is where the core resumes: one past the ledger's tip, with
// that height's validator set and the stored block below it.
func (r *Replica) startState() (consensus.State, error) {
	h := r.l.Height() + 1
	vs, err := validatorSetAt(r.l, h)
	if err != nil {
		return consensus.State{}, err
	}
	last, err := r.guard.Load()
	if err != nil {
		return consensus.State{}, err
	}
	st := consensus.State{Height: h, Validators: vs, LastSigned: last}
	if h > 1 {
		b, cert, err := r.l.Block(h - 1)
		if errors.Is(err, ledger.ErrNotFound) {
			// The ledger was restored from a snapshot at h-1, without its
			// block: peers one height behind are served by block sync.
			return st, nil
		}
		if err != nil {
			return consensus.State{}, fmt.Errorf("replica: load block %d: %w", h-1, err)
		}
		if st.LastValue, err = protocols.EncodeBlock(b); err != nil {
			return consensus.State{}, err
		}
		if len(cert) > 0 {
			if st.LastCommit, err = protocols.DecodeCommit(cert); err != nil {
				return consensus.State{}, fmt.Errorf("replica: stored commit %d: %w", h-1, err)
			}
		}
	}
	return st, nil
}

// validatorSetAt returns the consensus validator set of height h. Until
// validator updates exist (the market wires stake in at epoch boundaries)
// the set is the ledger's, with proposer priorities advanced once per
// height from height 1, which every replica computes identically.
func validatorSetAt(l *ledger.Ledger, h uint64) (consensus.ValidatorSet, error) {
	lv, err := l.Validators()
	if err != nil {
		return consensus.ValidatorSet{}, err
	}
	vals := make([]protocols.Validator, len(lv))
	for i, v := range lv {
		vals[i] = protocols.Validator{PubKey: append([]byte(nil), v.Hotkey[:]...), Power: v.Power}
	}
	vs, err := consensus.NewValidatorSet(vals)
	if err != nil {
		return consensus.ValidatorSet{}, fmt.Errorf("replica: validator set: %w", err)
	}
	for i := uint64(1); i < h; i++ {
		vs = vs.Next()
	}
	return vs, nil
}

// Close stops the loop and waits for it. A second call is a no-op.
func (r *Replica) Close() error {
	var err error
	r.closeOnce.Do(func() {
		if r.cancel != nil {
			r.cancel()
		}
		r.wg.Wait()
		if r.wal != nil {
			err = r.wal.Close()
		}
	})
	return err
}

// Deliver hands the replica an input from peer from. It never blocks: when
// the queue is full the input is dropped (catch-up recovers it).
func (r *Replica) Deliver(from string, in consensus.Input) {
	in.From = from
	r.notePeerHeight(in)
	select {
	case r.net <- in:
	default:
		r.log.Debug("consensus queue full; dropped a message", "from", from)
	}
}

func (r *Replica) notePeerHeight(in consensus.Input) {
	var h uint64
	switch {
	case in.Request != nil:
		h = in.Request.Height
	case in.Vote != nil:
		h = in.Vote.Height
	case in.Proposal != nil:
		h = in.Proposal.Height
	case in.Response != nil:
		h = in.Response.Height
	}
	if h == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A peer deciding height h has committed h-1.
	if h-1 > r.status.PeerHeight {
		r.status.PeerHeight = h - 1
	}
	r.status.Syncing = r.status.PeerHeight > r.status.Height+1
}

// Status reports the replica's progress.
func (r *Replica) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

func (r *Replica) setStatus() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.Height = r.core.Height() - 1
	r.status.Round = r.core.Round()
	r.status.Step = r.core.CurrentStep().String()
	r.status.Syncing = r.status.PeerHeight > r.status.Height+1
	vs := r.core.Validators()
	r.status.Validator = r.cfg.Key != nil && vs.Index(r.cfg.Key.Public().(ed25519.PublicKey)) >= 0
}

// later feeds in to the loop after d, unless the replica stops first.
func (r *Replica) later(ctx context.Context, d time.Duration, in func() consensus.Input) {
	r.wg.Go(func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v := in()
		select {
		case r.local <- v:
		case <-ctx.Done():
		}
	})
}
