package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/routing"
	"github.com/taonet/tao/routing/scoring"
)

// ValidatorConfig makes a node a validator of one subnet (DESIGN §5): each
// round it queries every live registered miner of the subnet with prompts
// derived from the latest block, verifies the answers on its own engine,
// keeps an EMA score per uid (routing/scoring) and sets weights on the
// chain, by commit-reveal when the subnet uses it. The node's hotkey must
// be registered on the subnet, and its weights count once it holds stake.
type ValidatorConfig struct {
	NetUID uint16
	// Engine verifies answers; the node does not close it. Nil: the
	// builtin engine on Model, opened and closed by the node. Either way
	// its model must be the subnet's.
	Engine inference.Engine
	// Model is the subnet's GGUF file for the builtin engine, or "default"
	// (or empty) for the synthetic default model.
	Model string
	// Threads for the builtin engine. Zero: GOMAXPROCS.
	Threads int
	// KVCache is the builtin engine's KV cache type
	// (inference.BuiltinOptions.KVCache): f16 (also "") or f32.
	KVCache string
	// FlashAttn is inference.BuiltinOptions.FlashAttn: on (also "") or off.
	FlashAttn string
	// Interval between rounds. Zero: one round per subnet tempo (blocks).
	Interval time.Duration
	// Prompts per round; every miner answers each. Zero: 2.
	Prompts int
	// MaxTokens of each greedy answer. Zero: 24.
	MaxTokens int
	// QueryTimeout bounds one miner's answer to one prompt. Zero: 20 s.
	QueryTimeout time.Duration
	// Scoring tunes the EMA. Zero: scoring's defaults.
	Scoring scoring.Config
}

func (c ValidatorConfig) withDefaults() ValidatorConfig {
	if c.Prompts <= 0 {
		c.Prompts = 2
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 24
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = 20 * time.Second
	}
	if c.Threads <= 0 {
		c.Threads = runtime.GOMAXPROCS(0)
	}
	return c
}

// validator is the running role.
type validator struct {
	n       *Node
	cfg     ValidatorConfig
	log     *slog.Logger
	l       *ledger.Ledger
	client  *routing.Client
	eng     inference.Engine
	owned   bool // eng was opened by the node
	key     ed25519.PrivateKey
	pub     []byte
	hotkey  ledger.Hotkey
	self    peer.ID
	metrics *validatorMetrics
	organic *routing.Receipts // nil if the receipt topic could not be joined

	// Used by the round goroutine only (rounds never overlap).
	tracker *scoring.Tracker
	uidKeys map[uint16]ledger.Hotkey

	running atomic.Bool // a round is running
	idle    atomic.Bool // the last round found no miner

	mu  sync.Mutex   // guards row
	row *scoring.Row // the latest row not yet taken by the weights machine

	ws     weightsState // the loop goroutine's
	status validatorStatus
}

// startValidator checks that this node can validate the subnet (a chain,
// the subnet, a registered hotkey, the subnet's model) and starts the
// loop, which runs until ctx ends. Routing must be started. startCtx,
// Start's own context, ends only the wait for the ledger to catch up.
func (n *Node) startValidator(ctx, startCtx context.Context) error {
	vc := n.cfg.Validator.withDefaults()
	if n.chain == nil {
		return fmt.Errorf("the validator role needs the chain: %w", errNoChain)
	}
	l := n.chain.ledger
	raw, err := n.key.Raw()
	if err != nil {
		return err
	}
	key := ed25519.PrivateKey(raw)
	pub := key.Public().(ed25519.PublicKey)
	acct, err := ledger.AccountOf(pub)
	if err != nil {
		return err
	}
	v := &validator{
		n: n, cfg: vc, log: n.log.With("component", "validator", "netuid", vc.NetUID), l: l, client: n.rt.client,
		key: key, pub: pub, hotkey: ledger.Hotkey(acct), self: n.host.ID(), uidKeys: map[uint16]ledger.Hotkey{},
	}
	v.status.s.NetUID = vc.NetUID
	var (
		mg *ledger.Metagraph
		me ledger.NeuronInfo
	)
	err = n.awaitCaughtUp(startCtx, func() error {
		var err error
		if mg, err = l.Metagraph(vc.NetUID); err != nil {
			return fmt.Errorf("validator: %w", err)
		}
		var ok bool
		if me, ok = v.selfIn(mg); !ok {
			return notRegisteredError(fmt.Sprintf("this node's hotkey %x (peer %s) is not registered on subnet %d: register it first (`tao register --netuid %d`), then start the validator",
				[]byte(pub), v.self, vc.NetUID, vc.NetUID))
		}
		return nil
	}, func(err error) bool { return isNotRegistered(err) || errors.Is(err, ledger.ErrUnknownSubnet) })
	if err != nil {
		return err
	}
	model, err := cid.Decode(mg.Subnet.Model)
	if err != nil {
		return fmt.Errorf("subnet %d declares no model CID (%q), so answers cannot be verified: its owner must declare the model before it is validated", vc.NetUID, mg.Subnet.Model)
	}
	if me.Stake == 0 && me.RootStake == 0 {
		v.log.Warn("this validator's hotkey has no stake on the subnet: its weights count for nothing until it is staked (`tao stake add`)")
	}
	if v.eng, v.owned, err = n.openValidatorEngine(vc); err != nil {
		return err
	}
	if got := v.eng.Info().CID; !got.Equals(model) {
		v.close()
		return fmt.Errorf("the validator's model %s is not subnet %d's model %s: give --model the subnet's GGUF file (fetch it with `tao model pull`)", got, vc.NetUID, model)
	}
	if v.tracker, err = scoring.NewTracker(vc.Scoring); err != nil {
		v.close()
		return fmt.Errorf("validator: %w", err)
	}
	v.metrics = newValidatorMetrics(n.reg)
	if v.organic, err = routing.WatchReceipts(ctx, n.host, vc.NetUID); err != nil {
		v.log.Warn("not counting organic receipts", "err", err)
		v.organic = nil
	}
	n.val = v
	n.wg.Go(func() { v.run(ctx) })
	v.log.Info("validator started", "model", model, "uid", me.UID, "commit_reveal", mg.Subnet.Hyper.CommitReveal)
	return nil
}

// openValidatorEngine opens the builtin engine on the configured model
// unless an engine was given.
func (n *Node) openValidatorEngine(vc ValidatorConfig) (inference.Engine, bool, error) {
	if vc.Engine != nil {
		return vc.Engine, false, nil
	}
	path := vc.Model
	if path == "" || path == "default" {
		var err error
		if path, _, err = DefaultModel(n.cfg.Home); err != nil {
			return nil, false, err
		}
	}
	eng, err := inference.OpenBuiltin(path, inference.BuiltinOptions{Threads: vc.Threads, KVCache: vc.KVCache, FlashAttn: vc.FlashAttn, Logger: n.log})
	if err != nil {
		return nil, false, fmt.Errorf("the validator cannot load model %s: %w (give --model the subnet's GGUF file)", path, err)
	}
	return eng, true, nil
}

// close releases an engine the node opened; after the loop has stopped.
func (v *validator) close() error {
	if v.owned {
		return v.eng.Close()
	}
	return nil
}

// run steps the weights machine at every new block and starts a round
// when one is due: every Interval, else every tempo of blocks.
func (v *validator) run(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var last, nextRound uint64
	var lastRound time.Time
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		tip := v.l.Tip()
		h := tip.Height
		if !first && h == last {
			continue
		}
		first, last = false, h
		mg, err := v.l.Metagraph(v.cfg.NetUID)
		if err != nil {
			v.log.Warn("read metagraph", "err", err)
			continue
		}
		v.mu.Lock()
		row := v.row
		v.mu.Unlock()
		if v.stepWeights(ctx, h, mg, row) {
			v.mu.Lock()
			if v.row == row {
				v.row = nil
			}
			v.mu.Unlock()
		}
		if v.running.Load() {
			continue
		}
		if v.idle.Swap(false) {
			nextRound, lastRound = h+2, time.Time{} // no miner yet: look again soon
		}
		due := h >= nextRound
		if v.cfg.Interval > 0 {
			due = time.Since(lastRound) >= v.cfg.Interval
		}
		if !due {
			continue
		}
		v.running.Store(true)
		nextRound, lastRound = h+uint64(max(mg.Subnet.Hyper.Tempo, 1)), time.Now()
		blockID := tip.BlockID
		v.n.wg.Go(func() {
			defer v.running.Store(false)
			if !v.round(ctx, h, blockID, mg) {
				v.idle.Store(true)
			}
		})
	}
}

// target is one miner of a round.
type target struct {
	uid  uint16
	peer peer.ID
}

// answer is one miner's answer to one prompt.
type answer struct {
	res *routing.Result
	err error
}

// round queries every live registered miner with the round's prompts,
// verifies the answers, folds them into the scores and leaves the new
// weight row for the weights machine. It reports whether any miner was
// queried.
func (v *validator) round(ctx context.Context, h uint64, blockID []byte, mg *ledger.Metagraph) bool {
	netuid := v.cfg.NetUID
	for _, nr := range mg.Neurons {
		if old, ok := v.uidKeys[nr.UID]; ok && old != nr.Hotkey {
			v.tracker.Forget(nr.UID) // re-registered: a new miner inherits nothing
		}
		v.uidKeys[nr.UID] = nr.Hotkey
	}
	targets := v.targets(mg)
	if len(targets) == 0 {
		v.log.Debug("no live miner to query", "height", h)
		return false
	}
	v.metrics.rounds.WithLabelValues(label(netuid)).Inc()
	v.status.round(h)
	prompts := derivePrompts(blockID, netuid, v.pub, v.cfg.Prompts)

	// The miners answer while this node computes the references.
	answers := make([][]answer, len(targets))
	var wg sync.WaitGroup
	for i, tg := range targets {
		answers[i] = make([]answer, len(prompts))
		wg.Go(func() {
			for k, p := range prompts {
				qctx, cancel := context.WithTimeout(ctx, v.cfg.QueryTimeout)
				res, err := v.client.Query(qctx, netuid, tg.peer, routing.Request{Prompt: p, MaxTokens: v.cfg.MaxTokens})
				cancel()
				answers[i][k] = answer{res, err}
			}
		})
	}
	refs := make([]*reference, len(prompts))
	var refErr error
	for k, p := range prompts {
		if refs[k], refErr = makeReference(ctx, v.eng, p, v.cfg.MaxTokens); refErr != nil {
			break
		}
	}
	wg.Wait()
	if refErr != nil {
		// This node failed, not the miners: score nothing.
		v.log.Error("validator engine failed; round skipped", "err", refErr)
		return true
	}

	var samples []scoring.Sample
	// A miner scored before that is no longer live (no fresh heartbeat)
	// answered nothing: its score decays instead of lasting forever.
	live := make(map[uint16]bool, len(targets))
	for _, tg := range targets {
		live[tg.uid] = true
	}
	for _, nr := range mg.Neurons {
		if !live[nr.UID] && v.tracker.Score(nr.UID) > 0 {
			samples = append(samples, scoring.Sample{UID: nr.UID, Outcome: scoring.NoAnswer})
		}
	}
	for i, tg := range targets {
		for k := range prompts {
			s, ok := v.judge(ctx, tg, refs[k], answers[i][k])
			if ok {
				samples = append(samples, s)
			}
		}
		if v.organic != nil {
			v.metrics.organic.WithLabelValues(label(netuid), label(tg.uid)).Set(float64(v.organic.Count(tg.peer)))
		}
	}
	rs := v.tracker.Observe(samples)
	v.status.mu.Lock()
	for _, s := range samples {
		m := v.status.minerLocked(s.UID)
		switch s.Outcome {
		case scoring.Verified:
			m.Verified++
		case scoring.Failed:
			m.Failed++
		default:
			m.NoAnswer++
		}
	}
	for _, r := range rs {
		v.status.minerLocked(r.UID).Score = v.tracker.Score(r.UID)
	}
	v.status.mu.Unlock()
	for _, r := range rs {
		v.metrics.score.WithLabelValues(label(netuid), label(r.UID)).Set(v.tracker.Score(r.UID))
		v.log.Info("miner scored", "height", h, "uid", r.UID, "samples", r.Samples, "failed", r.Failed,
			"quality", r.Quality, "speed", r.Speed, "score", v.tracker.Score(r.UID))
	}
	row, err := scoring.Weights(v.tracker.Scores(len(mg.Neurons)), scoring.WeightParams{
		N: len(mg.Neurons), MinAllowed: int(mg.Subnet.Hyper.MinAllowedWeights),
	})
	if err != nil {
		v.log.Info("no weights to set this round", "err", err)
		return true
	}
	v.mu.Lock()
	v.row = &row
	v.mu.Unlock()
	return true
}

// targets lists the live miners of the subnet that hold a uid in mg,
// this node excluded, by uid.
func (v *validator) targets(mg *ledger.Metagraph) []target {
	var out []target
	// Every miner with a fresh heartbeat, even one this node's router
	// has banned for failures: the validator judges for itself.
	for _, c := range v.client.Directory().Candidates(v.cfg.NetUID) {
		uid := c.Neuron.UID
		if c.Peer == v.self || int(uid) >= len(mg.Neurons) || peerOfHotkey(mg.Neurons[uid].Hotkey) != c.Peer {
			continue // this node, or the registry is a block behind mg
		}
		out = append(out, target{uid: uid, peer: c.Peer})
	}
	slices.SortFunc(out, func(a, b target) int { return int(a.uid) - int(b.uid) })
	return out
}

// judge turns one answer into a sample; false when this node could not
// verify it (its own failure, which must not cost the miner).
func (v *validator) judge(ctx context.Context, tg target, ref *reference, a answer) (scoring.Sample, bool) {
	netuid := label(v.cfg.NetUID)
	s := scoring.Sample{UID: tg.uid}
	fail := func(reason, detail string) (scoring.Sample, bool) {
		v.metrics.queries.WithLabelValues(netuid, "failed").Inc()
		v.metrics.failures.WithLabelValues(netuid, reason).Inc()
		v.log.Info("answer failed verification", "uid", tg.uid, "peer", tg.peer, "reason", reason, "detail", detail)
		s.Outcome = scoring.Failed
		return s, true
	}
	switch {
	case errors.Is(a.err, routing.ErrBadReceipt):
		return fail("bad_receipt", a.err.Error())
	case a.err != nil:
		v.metrics.queries.WithLabelValues(netuid, "no_answer").Inc()
		v.log.Debug("miner did not answer", "uid", tg.uid, "err", a.err)
		s.Outcome = scoring.NoAnswer
		return s, true
	}
	var vd verdict
	if len(a.res.Tokens) == 0 && a.res.Text != "" {
		vd = verifyText(ref, a.res.Text) // a text-only (upstream) miner
	} else {
		var err error
		if vd, err = verifyGreedy(ctx, v.eng, ref, a.res.Tokens); err != nil {
			v.log.Error("verify answer", "uid", tg.uid, "err", err)
			return s, false
		}
	}
	if vd.reason != "" {
		return fail(vd.reason, vd.detail)
	}
	v.metrics.queries.WithLabelValues(netuid, "verified").Inc()
	s.Outcome, s.Quality, s.TTFT = scoring.Verified, 1, a.res.TTFT
	n := max(len(a.res.Tokens), a.res.CompletionTokens)
	if dec := a.res.Duration - a.res.TTFT; n > 1 && dec > 0 {
		s.TokensPerSec = float64(n-1) / dec.Seconds()
	} else if a.res.Duration > 0 {
		s.TokensPerSec = float64(n) / a.res.Duration.Seconds()
	}
	return s, true
}
