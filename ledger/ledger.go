package ledger

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// Ledger is one replica of the chain: a Store holding the committed blocks
// and state, the chain's rules, and a Mempool of pending transactions. The
// consensus driver proposes, validates and commits blocks through it;
// everything else reads.
//
// A Ledger is safe for concurrent use. ProposeBlock, ValidateBlock and
// CommitBlock are serialized; readers (Balance, Nonce, Block, TxStatus,
// Height, ...) never wait for a block's execution.
type Ledger struct {
	store     Store
	chain     Chain
	genesisID cid.Cid
	log       *slog.Logger
	pool      *Mempool
	verify    protocols.VerifyFunc      // signature checks of the mempool
	batch     protocols.VerifyBatchFunc // signature checks of blocks

	commitMu sync.Mutex // serializes ProposeBlock, ValidateBlock, CommitBlock and snapshot writes

	mu       sync.RWMutex              // guards tip, executed
	tip      Tip                       // last committed height
	executed map[string]*executedBlock // by block ID: blocks at tip+1 already executed by Propose or Validate
}

// Option configures Open.
type Option func(*Ledger)

// WithLogger sets the logger (nil: discard).
func WithLogger(l *slog.Logger) Option {
	return func(led *Ledger) {
		if l != nil {
			led.log = l
		}
	}
}

// WithMempool sets the mempool's bounds.
func WithMempool(cfg MempoolConfig) Option {
	return func(led *Ledger) { led.pool.cfg = cfg.withDefaults() }
}

// WithVerify sets how transaction signatures are checked, in the mempool
// and in blocks (nil: protocols.Verify). It must answer as protocols.Verify
// does, or replicas diverge: a protocols.VerifyCache shared with the
// gossip validators, so a transaction is verified once per node. Without
// WithVerifyBatch, a block's signatures are checked one by one with f.
func WithVerify(f protocols.VerifyFunc) Option {
	return func(led *Ledger) {
		if f != nil {
			led.verify = f
		}
	}
}

// WithVerifyBatch sets how a block's transaction signatures are checked
// (nil: protocols.VerifyBatch, or WithVerify's function one signature at a
// time). It must answer as protocols.VerifyBatch does: the batch method of
// the VerifyCache given to WithVerify.
func WithVerifyBatch(f protocols.VerifyBatchFunc) Option {
	return func(led *Ledger) {
		if f != nil {
			led.batch = f
		}
	}
}

// Open opens the ledger of genesis g in s. A fresh store is initialized
// with the genesis state; a used one must hold the same genesis under the
// current SchemaVersion.
func Open(s Store, g *Genesis, opts ...Option) (*Ledger, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	gid, err := g.Hash()
	if err != nil {
		return nil, err
	}
	l := &Ledger{store: s, chain: g.Chain(), genesisID: gid, log: slog.New(slog.DiscardHandler)}
	l.pool = NewMempool(l.chain, MempoolConfig{}, l.committed)
	for _, o := range opts {
		o(l)
	}
	switch {
	case l.verify == nil:
		l.verify = protocols.Verify
		if l.batch == nil {
			l.batch = protocols.VerifyBatch
		}
	case l.batch == nil:
		l.batch = protocols.SerialBatch(l.verify)
	}
	l.pool.verify = l.verify
	l.log = l.log.With("component", "ledger")
	sv, err := s.Get(keySchema)
	if err != nil {
		return nil, fmt.Errorf("read store schema: %w", err)
	}
	if sv == nil {
		if err := l.initGenesis(g); err != nil {
			return nil, err
		}
	} else if err := l.checkStore(sv); err != nil {
		return nil, err
	}
	tb, err := s.Get(keyTip)
	if err != nil {
		return nil, err
	}
	if err := protocols.Unmarshal(tb, &l.tip, maxRecordSize); err != nil {
		return nil, fmt.Errorf("%w: tip: %v", ErrCorrupt, err)
	}
	l.pool.reset()
	return l, nil
}

func (l *Ledger) checkStore(schema []byte) error {
	var v uint64
	if err := protocols.Unmarshal(schema, &v, 16); err != nil {
		return fmt.Errorf("%w: schema version: %v", ErrCorrupt, err)
	}
	if v != SchemaVersion {
		return fmt.Errorf("%w: the store is at schema version %d and this tao reads version %d; run the tao release that wrote it, or move the data dir away and resync", ErrSchemaVersion, v, SchemaVersion)
	}
	gb, err := l.store.Get(keyGenesis)
	if err != nil {
		return err
	}
	got, err := cid.Cast(gb)
	if err != nil {
		return fmt.Errorf("%w: genesis hash: %v", ErrCorrupt, err)
	}
	if got != l.genesisID {
		return fmt.Errorf("%w: the store holds the chain of genesis %s, and the genesis given is %s; pass the genesis file of that chain, or use another data dir", ErrGenesisMismatch, got, l.genesisID)
	}
	return nil
}

// initGenesis writes the genesis state, height 0's records and its
// snapshot into an empty store.
func (l *Ledger) initGenesis(g *Genesis) error {
	if err := l.mustBeEmpty(); err != nil {
		return err
	}
	out, tip, err := g.state()
	if err != nil {
		return err
	}
	batch, err := l.headerBatch(out, tip)
	if err != nil {
		return err
	}
	schema, _ := protocols.Marshal(uint64(SchemaVersion))
	batch = append(batch, KV{Key: keySchema, Value: schema}, KV{Key: keyGenesis, Value: l.genesisID.Bytes()})
	if err := l.store.Write(batch); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	return l.writeSnapshot(0)
}

func (l *Ledger) mustBeEmpty() error {
	stop := errors.New("stop")
	err := l.store.Iterate(nil, func([]byte, []byte) error { return stop })
	if errors.Is(err, stop) {
		return fmt.Errorf("%w: the store has data but no schema version (an interrupted restore?); move the data dir away and sync again", ErrCorrupt)
	}
	return err
}

// headerBatch returns the writes every height makes: the state writes, the
// height record and the tip.
func (l *Ledger) headerBatch(out *Outcome, tip Tip) ([]KV, error) {
	batch := make([]KV, 0, len(out.Writes)+2)
	for _, kv := range out.Writes {
		batch = append(batch, KV{Key: storeKey(kv.Key), Value: kv.Value})
	}
	hr := heightRecord{PrevRoot: out.PrevRoot, WriteSetCID: out.WriteSetCID.Bytes(), Root: out.Root}
	if out.Digest != nil {
		hr.Digest = out.Digest[:]
	}
	hb, err := protocols.Marshal(&hr)
	if err != nil {
		return nil, err
	}
	tb, err := protocols.Marshal(&tip)
	if err != nil {
		return nil, err
	}
	return append(batch, KV{Key: heightKey(nsHeight, out.Height), Value: hb}, KV{Key: keyTip, Value: tb}), nil
}

// heightRecord keeps the inputs of a height's state root, so a snapshot at
// that height can be checked against the root (snapshot.go).
type heightRecord struct {
	_           struct{} `cbor:",toarray"`
	PrevRoot    Root
	WriteSetCID []byte
	Digest      []byte // HashSize bytes at snapshot heights, else empty
	Root        Root
}

// committed returns the committed state and its tip.
func (l *Ledger) committed() (View, Tip) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return stateView{l.store}, l.tip
}

// snapshot returns the committed state as one consistent snapshot (where
// the store supports it), its tip, and the function that releases it. The
// caller holds commitMu, so no block commits underneath.
func (l *Ledger) snapshot() (View, Tip, func()) {
	v, tip := l.committed()
	if s, ok := l.store.(snapshotter); ok {
		r, release := s.snapshot()
		return stateView{r}, tip, release
	}
	return v, tip, func() {}
}

// Chain returns the chain's ID and parameters.
func (l *Ledger) Chain() Chain { return l.chain }

// GenesisID returns the genesis hash.
func (l *Ledger) GenesisID() cid.Cid { return l.genesisID }

// Mempool returns the ledger's mempool.
func (l *Ledger) Mempool() *Mempool { return l.pool }

// Tip returns the last committed height, block ID, time and state root.
func (l *Ledger) Tip() Tip {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.tip
}

// Height returns the last committed height (0: only genesis).
func (l *Ledger) Height() uint64 { return l.Tip().Height }

// LastBlockID returns the ID of the last committed block (the genesis hash
// at height 0).
func (l *Ledger) LastBlockID() cid.Cid {
	c, _ := cid.Cast(l.Tip().BlockID) // written by this package, always a CID
	return c
}

// StateRoot returns the state root at the last committed height.
func (l *Ledger) StateRoot() Root { return l.Tip().Root }

// Balance returns the committed balance of a coldkey (0 if unknown).
func (l *Ledger) Balance(a Account) (market.Rao, error) {
	r, err := getAccount(stateView{l.store}, a)
	return r.Balance, err
}

// Nonce returns the nonce the account's next transaction must carry,
// according to the committed state.
func (l *Ledger) Nonce(a Account) (uint64, error) {
	r, err := getAccount(stateView{l.store}, a)
	return r.Nonce, err
}

// Supply returns the TAO issued and burned so far.
func (l *Ledger) Supply() (issued, burned market.Rao, err error) {
	r, err := getSupply(stateView{l.store})
	return r.Issued, r.Burned, err
}

// Validators returns the current validator set in canonical order.
func (l *Ledger) Validators() (ValidatorSet, error) { return getValidators(stateView{l.store}) }

// SubmitTx adds a transaction to the mempool (Mempool.Add).
func (l *Ledger) SubmitTx(tx *protocols.Tx) error { return l.pool.Add(tx) }

// Close closes the store.
func (l *Ledger) Close() error { return l.store.Close() }
