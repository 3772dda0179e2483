package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/routing"
)

// SubnetConfig declares one subnet while the ledger cannot (the interim
// registry; see docs/decisions.md).
type SubnetConfig struct {
	// Model is the CID of the GGUF weights the subnet's miners must serve,
	// or "default" for the synthetic default model (DefaultModel).
	Model string
	// Task names what the subnet does. Zero: "text-generation".
	Task string
}

// MinerConfig makes a node a miner of one subnet.
type MinerConfig struct {
	NetUID uint16
	// Engine serves the model; the node does not close it. Nil: the
	// builtin engine on Model, opened and closed by the node.
	Engine inference.Engine
	// Model is a GGUF file for the builtin engine, or "default" (or
	// empty) for the synthetic default model.
	Model string
	// Threads for the builtin engine. Zero: GOMAXPROCS.
	Threads int
	// Device runs the builtin engine on "cpu", "cuda" (an NVIDIA GPU, or
	// the start fails) or "auto" (a usable GPU, else the CPU). Zero: cpu.
	Device string
	// KVCache is the builtin engine's KV cache type on the CPU
	// (inference.BuiltinOptions.KVCache): f16 (also "") or f32.
	KVCache string
	// FlashAttn is inference.BuiltinOptions.FlashAttn: on (also "") or off.
	FlashAttn string
	// MaxConcurrent requests generate at once. Zero: routing's default.
	MaxConcurrent int
	// HeartbeatInterval: zero means routing's default (5 s).
	HeartbeatInterval time.Duration
}

// DefaultModelPreset is the synthetic model of devnets and tests: the
// stories15m architecture with Q8_0 weights drawn from seed 1. Its text is
// meaningless (see package synth).
var DefaultModelPreset = inference.SynthOptions{Preset: "stories15m", Quant: "q8_0", Seed: 1}

// DefaultModel returns the path and CID of the synthetic default model in
// the model cache Home/models, writing it there the first time (about a
// second).
func DefaultModel(home string) (string, cid.Cid, error) {
	if home == "" {
		home = DefaultHome()
	}
	c := inference.Cache{Dir: filepath.Join(home, "models")}
	o := DefaultModelPreset
	index := filepath.Join(c.Dir, fmt.Sprintf("%s-%s-seed%d.cid", o.Preset, o.Quant, o.Seed))
	if b, err := os.ReadFile(index); err == nil {
		if id, err := cid.Decode(strings.TrimSpace(string(b))); err == nil {
			if _, err := os.Stat(c.Path(id)); err == nil {
				return c.Path(id), id, nil
			}
		}
	}
	path, id, err := c.Synth(o)
	if err != nil {
		return "", cid.Undef, fmt.Errorf("write the default model to %s: %w", c.Dir, err)
	}
	if err := writeFileAtomic(index, []byte(id.String()+"\n"), 0o644); err != nil {
		return "", cid.Undef, err
	}
	return path, id, nil
}

// routingState is the node's inference routing: the registry, the
// directory of live miners, the client, and the miner if it is one.
type routingState struct {
	reg       *registry
	dir       *routing.Directory
	client    *routing.Client
	miner     *routing.Miner
	engine    inference.Engine // opened by the node, closed by it
	ctx       context.Context  // cancelled by stopRouting: ends API requests
	cancelAPI context.CancelFunc
}

// resolveSubnets turns the configured declarations into registry entries.
func (n *Node) resolveSubnets(minerModel cid.Cid) (map[uint16]routing.SubnetInfo, error) {
	out := make(map[uint16]routing.SubnetInfo)
	for netuid, sc := range n.cfg.Subnets {
		task := sc.Task
		if task == "" {
			task = "text-generation"
		}
		var id cid.Cid
		var err error
		if sc.Model == "default" {
			_, id, err = DefaultModel(n.cfg.Home)
		} else if id, err = cid.Decode(sc.Model); err != nil {
			err = fmt.Errorf("subnet %d: model %q is not a CID (give the CID of the weights, or \"default\"): %w", netuid, sc.Model, err)
		}
		if err != nil {
			return nil, err
		}
		out[netuid] = routing.SubnetInfo{ModelCID: id, Task: task}
	}
	if m := n.cfg.Miner; m != nil {
		if s, ok := out[m.NetUID]; ok && !s.ModelCID.Equals(minerModel) {
			return nil, fmt.Errorf("this miner serves model %s but subnet %d is declared with %s: serve the declared model", minerModel, m.NetUID, s.ModelCID)
		}
		if _, ok := out[m.NetUID]; !ok {
			out[m.NetUID] = routing.SubnetInfo{ModelCID: minerModel, Task: "text-generation"}
		}
	}
	return out, nil
}

// openEngine opens the miner's engine unless one was given.
func (n *Node) openEngine() (inference.Engine, bool, error) {
	m := n.cfg.Miner
	if m.Engine != nil {
		return m.Engine, false, nil
	}
	path := m.Model
	if path == "" || path == "default" {
		var err error
		if path, _, err = DefaultModel(n.cfg.Home); err != nil {
			return nil, false, err
		}
	}
	eng, err := inference.OpenBuiltin(path, inference.BuiltinOptions{Threads: m.Threads, MaxBatch: m.MaxConcurrent, Device: m.Device, KVCache: m.KVCache, FlashAttn: m.FlashAttn, Logger: n.log})
	if err != nil {
		return nil, false, fmt.Errorf("miner model %s: %w", path, err)
	}
	return eng, true, nil
}

// startRouting starts the directory and client on every node, and the
// miner on a miner node. The host must be started. ctx is Start's: it ends
// only the wait for the ledger to catch up, not what is started.
func (n *Node) startRouting(ctx context.Context) (err error) {
	rt := &routingState{}
	rt.ctx, rt.cancelAPI = context.WithCancel(context.Background())
	n.rt = rt
	raw, err := n.key.Raw()
	if err != nil {
		return err
	}
	key := ed25519.PrivateKey(raw)
	var minerModel cid.Cid
	var eng inference.Engine
	if n.cfg.Miner != nil {
		var owned bool
		if eng, owned, err = n.openEngine(); err != nil {
			return err
		}
		if owned {
			rt.engine = eng
		}
		minerModel = eng.Info().CID
	}
	subnets, err := n.resolveSubnets(minerModel)
	if err != nil {
		return err
	}
	var l *ledger.Ledger
	if n.chain != nil {
		l = n.chain.ledger
	}
	rt.reg = newRegistry(subnets, l)
	if err := n.awaitCaughtUp(ctx, func() error { return n.checkMinerRegistered(rt.reg, minerModel) }, isNotRegistered); err != nil {
		return err
	}
	if m := n.cfg.Miner; m != nil && n.chain != nil && !rt.reg.onChain(m.NetUID) {
		n.log.Warn("this miner's subnet is not on this node's chain (yet): it serves it as an off-chain subnet, which only clients that declare it (--subnet NETUID=MODEL_CID) use, and earns nothing; to mine on the chain pick an existing subnet (`tao subnet list`) or create one (`tao subnet create`)",
			"netuid", m.NetUID, "height", n.chain.ledger.Height())
	}
	log := n.log
	if rt.dir, err = routing.NewDirectory(routing.DirectoryConfig{Host: n.host, Registry: rt.reg, Logger: log}); err != nil {
		return err
	}
	rt.dir.Start()
	for _, netuid := range rt.reg.subnets() {
		if err := rt.dir.Watch(netuid); err != nil {
			return err
		}
	}
	n.wg.Go(func() {
		rt.reg.follow(rt.ctx, func(netuid uint16) {
			if err := rt.dir.Watch(netuid); err != nil {
				log.Debug("watch a new subnet", "netuid", netuid, "err", err)
			}
		})
	})
	if rt.client, err = routing.NewClient(routing.ClientConfig{Host: n.host, Key: key, Directory: rt.dir, Logger: log, Registerer: n.reg}); err != nil {
		return err
	}
	if m := n.cfg.Miner; m != nil {
		rt.miner, err = routing.NewMiner(routing.MinerConfig{
			Host: n.host, Key: key, NetUID: m.NetUID, Engine: eng, Registry: rt.reg,
			MaxConcurrent: m.MaxConcurrent, HeartbeatInterval: m.HeartbeatInterval, Logger: log, Registerer: n.reg,
			GPU: gpuStats, ReplayFile: filepath.Join(n.cfg.DataDir, fmt.Sprintf("miner-replays-%d", m.NetUID)),
		})
		if err != nil {
			return err
		}
		if err := rt.miner.Start(); err != nil {
			return err
		}
	}
	return nil
}

// stopRouting ends API requests in flight, stops the miner (its clients
// resume elsewhere) and the directory, and closes an engine the node
// opened. Safe to call when routing never started.
func (n *Node) stopRouting() error {
	rt := n.rt
	if rt == nil {
		return nil
	}
	rt.cancelAPI()
	var errs []error
	if rt.miner != nil {
		errs = append(errs, rt.miner.Close())
	}
	if rt.dir != nil {
		errs = append(errs, rt.dir.Close())
	}
	if rt.engine != nil {
		errs = append(errs, rt.engine.Close())
	}
	return errors.Join(errs...)
}

// Router returns the node's inference client; nil before Start.
func (n *Node) Router() *routing.Client {
	if n.rt == nil {
		return nil
	}
	return n.rt.client
}

// Miner returns the node's miner; nil unless the node is one.
func (n *Node) Miner() *routing.Miner {
	if n.rt == nil {
		return nil
	}
	return n.rt.miner
}

// Subnets lists the declared subnets, ascending.
func (n *Node) Subnets() []uint16 {
	if n.rt == nil || n.rt.reg == nil {
		return nil
	}
	return n.rt.reg.subnets()
}

// checkMinerRegistered refuses to start a miner whose hotkey holds no uid
// on its subnet, or that serves another model than the subnet declares,
// when the subnet exists on the chain: it would get no traffic and earn
// nothing.
func (n *Node) checkMinerRegistered(reg *registry, model cid.Cid) error {
	m := n.cfg.Miner
	if m == nil || !reg.onChain(m.NetUID) {
		return nil
	}
	if info, ok := reg.Subnet(m.NetUID); ok && !info.ModelCID.Equals(model) {
		return fmt.Errorf("this miner serves model %s but subnet %d declares %s on the chain: serve the declared model (tao subnet show %d)",
			model, m.NetUID, info.ModelCID, m.NetUID)
	}
	if _, ok := reg.Neuron(m.NetUID, n.host.ID()); !ok {
		raw, _ := n.key.GetPublic().Raw()
		return notRegisteredError(fmt.Sprintf("this node's hotkey %x (peer %s) is not registered on subnet %d: register it first (`tao register --netuid %d`), then start the miner",
			raw, n.host.ID(), m.NetUID, m.NetUID))
	}
	return nil
}

// notRegisteredError is checkMinerRegistered's refusal of a hotkey that
// holds no uid.
type notRegisteredError string

func (e notRegisteredError) Error() string { return string(e) }

func isNotRegistered(err error) bool {
	var nr notRegisteredError
	return errors.As(err, &nr)
}

// catchUpWait bounds how long a miner or validator whose hotkey (or
// subnet) the local ledger does not show waits for that ledger to catch
// up.
var catchUpWait = 30 * time.Second

// awaitCaughtUp runs check until it passes or fails otherwise than retry
// says, while the ledger may be behind the chain: a node restored from a
// snapshot, or restarted on an old data directory, starts below the block
// that registered its hotkey (a miner registered a minute before was
// refused until its data directory was deleted). It checks again as
// blocks arrive, until catchUpWait passes (the height peers report is no
// reliable tip: a catch-up answer names the height it serves), so a hotkey
// that is truly not registered is refused after catchUpWait; a node with
// no bootstrap peer and no mDNS (the first of a network) has no one to
// catch up with and does not wait.
func (n *Node) awaitCaughtUp(ctx context.Context, check func() error, retry func(error) bool) error {
	err := check()
	if err == nil || !retry(err) || n.chain == nil || (len(n.cfg.Bootstrap) == 0 && n.cfg.NoMDNS) {
		return err
	}
	l := n.chain.ledger
	n.log.Info("not found at this node's height; waiting for the ledger to catch up with the chain", "height", l.Height(), "wait", catchUpWait, "err", err)
	deadline := time.Now().Add(catchUpWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped while waiting for this node's ledger (at block %d) to catch up: %w", l.Height(), context.Cause(ctx))
		case <-time.After(250 * time.Millisecond):
		}
		if err = check(); err == nil || !retry(err) {
			return err
		}
	}
	return fmt.Errorf("%w (this node's ledger is at block %d)", err, l.Height())
}
