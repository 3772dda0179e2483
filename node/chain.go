package node

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/ledger/replica"
	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// chain is the node's ledger and the consensus replica that feeds it,
// wired to the p2p host: proposals and votes over gossip, directed
// catch-up messages over a stream protocol, transactions over the tx topic.
type chain struct {
	localTx  sync.Mutex // submitLocalTx: one next-nonce, sign and admit at a time
	n        *Node
	store    *ledger.BadgerStore
	ledger   *ledger.Ledger
	rep      *replica.Replica
	props    *p2p.Topic
	votes    *p2p.Topic
	txs      *p2p.Topic
	batches  *p2p.Topic // POST /txs batches
	genesis  *ledger.Genesis
	park     *txPark
	sigs     *protocols.VerifyCache // shared by the gossip validators, the ledger and the core
	wg       sync.WaitGroup         // retry passes started by commits
	sync     *syncer                // bulk block sync (sync.go)
	serving  chan struct{}          // a token per sync stream being served
	restored uint64                 // height of the snapshot restored at start; 0 if none
	// statusNonce numbers the consensus statuses this node gossips (see
	// protocols.CatchupRequest.Nonce), from a random start so that a
	// restarted node does not repeat its previous run's messages.
	statusNonce atomic.Uint64
	// batchNonce numbers the transaction batches this node gossips
	// (protocols.EncodeTxBatchGossip), from a random start likewise.
	batchNonce atomic.Uint64
}

// verifyCacheSize bounds a node's cache of verified signatures: two full
// mempools' worth of transactions, and the votes of many heights.
const verifyCacheSize = 1 << 15

// loadGenesis returns Config.Genesis, else DATA_DIR/genesis.json, else
// nil: a node without a genesis joins the network but follows no chain.
func (n *Node) loadGenesis() (*ledger.Genesis, error) {
	if n.cfg.Genesis != nil {
		return n.cfg.Genesis, nil
	}
	path := n.cfg.GenesisFile
	if path == "" {
		path = filepath.Join(n.cfg.DataDir, "genesis.json")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	g, err := ledger.LoadGenesis(path)
	if err != nil {
		return nil, fmt.Errorf("%w (get the network's genesis.json from its operators, or run `tao devnet`)", err)
	}
	if g.ChainID != n.cfg.Network {
		return nil, fmt.Errorf("genesis %s is for chain %q, but --network is %q", path, g.ChainID, n.cfg.Network)
	}
	return g, nil
}

func (n *Node) startChain(ctx context.Context, g *ledger.Genesis) (*chain, error) {
	c := &chain{n: n, genesis: g, park: newTxPark(), sigs: protocols.NewVerifyCache(verifyCacheSize)}
	c.statusNonce.Store(rand.Uint64())
	c.batchNonce.Store(rand.Uint64())
	var err error
	// The ledger's state is small: modest memtables and caches keep several
	// nodes in one process (devnet, tests) light.
	opts := ledger.BadgerOptions(filepath.Join(n.cfg.DataDir, "ledger"), n.log).
		WithMemTableSize(16 << 20).WithNumMemtables(2).WithBlockCacheSize(32 << 20).
		WithValueLogFileSize(64 << 20)
	_, statErr := os.Stat(opts.Dir)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	c.store, err = ledger.OpenBadger(opts)
	if err != nil {
		return nil, fmt.Errorf("open ledger store: %w", err)
	}
	lopts := []ledger.Option{ledger.WithLogger(n.log), ledger.WithVerify(c.sigs.Verify), ledger.WithVerifyBatch(c.sigs.VerifyBatch)}
	if fresh && n.cfg.Sync != SyncBlocks {
		if c.ledger, err = c.restoreFromPeers(ctx, lopts...); err != nil {
			c.store.Close()
			return nil, err
		}
	}
	if c.ledger == nil {
		if c.ledger, err = ledger.Open(c.store, g, lopts...); err != nil {
			c.store.Close()
			return nil, err
		}
	}
	raw, err := n.key.Raw()
	if err != nil {
		return nil, errors.Join(err, c.close())
	}
	cc := n.cfg.Consensus
	if cc.Verify == nil {
		cc.Verify = c.sigs.Verify
	}
	c.rep, err = replica.New(replica.Config{
		Ledger:    c.ledger,
		Key:       ed25519.PrivateKey(raw),
		Dir:       filepath.Join(n.cfg.DataDir, "consensus"),
		Transport: c,
		Consensus: cc,
		Logger:    n.log,
		OnCommit: func(*protocols.Block) {
			c.wg.Go(c.retryParked)
		},
		OnEvidence: c.reportEvidence,
		OnBadPeer: func(p string, err error) {
			n.log.Debug("bad consensus message", "peer", p, "err", err)
		},
	})
	if err != nil {
		return nil, errors.Join(err, c.close())
	}
	if err := c.join(); err != nil {
		return nil, errors.Join(err, c.close())
	}
	n.host.Libp2p().SetStreamHandler(protocols.CatchupProtocol(g.ChainID), c.handleStream)
	c.serving = make(chan struct{}, syncServing)
	n.host.Libp2p().SetStreamHandler(protocols.SyncBlocksProtocol(g.ChainID), c.handleSyncBlocks)
	n.host.Libp2p().SetStreamHandler(protocols.SyncSnapshotProtocol(g.ChainID), c.handleSyncSnapshot)
	if err := c.rep.Start(ctx); err != nil {
		return nil, errors.Join(err, c.close())
	}
	n.wg.Go(func() { c.receive(ctx, c.props) })
	n.wg.Go(func() { c.receive(ctx, c.votes) })
	n.wg.Go(func() { c.receive(ctx, c.txs) })
	n.wg.Go(func() { c.receive(ctx, c.batches) })
	c.sync = c.newSyncer()
	n.wg.Go(func() { c.sync.run(ctx) })
	return c, nil
}

func (c *chain) close() error {
	var errs []error
	if c.rep != nil {
		errs = append(errs, c.rep.Close())
	}
	c.wg.Wait()
	if c.ledger != nil {
		errs = append(errs, c.ledger.Close())
	} else if c.store != nil {
		errs = append(errs, c.store.Close())
	}
	return errors.Join(errs...)
}

// join subscribes to the chain's topics with validators that decode each
// message once and check its signature before it spreads.
//
// A message this node is publishing passes unchecked (p2p.IsLocal): pubsub
// runs the validator on every local publish, and each publisher here built
// or checked its message first (the replica signs its proposals and votes;
// transactions and batches are admitted before they are published). The
// mark comes from the delivering peer being this host, not from the
// author, so neither a peer nor a replay of this node's own messages can
// take this path. For a proposal that skips decoding a whole block on the
// consensus loop.
func (c *chain) join() error {
	id := c.genesis.ChainID
	var err error
	c.props, err = c.n.host.Join(protocols.ProposalTopic(id), func(ctx context.Context, b []byte) (any, p2p.Verdict) {
		if p2p.IsLocal(ctx) {
			return nil, p2p.Accept
		}
		p, err := protocols.DecodeProposal(b)
		if err != nil || p.VerifyWith(id, c.sigs.Verify) != nil {
			return nil, p2p.Reject
		}
		return &protocols.ConsensusMessage{Proposal: p}, p2p.Accept
	})
	if err != nil {
		return err
	}
	c.votes, err = c.n.host.Join(protocols.VoteTopic(id), func(ctx context.Context, b []byte) (any, p2p.Verdict) {
		if p2p.IsLocal(ctx) {
			return nil, p2p.Accept
		}
		m, err := protocols.DecodeConsensusMessage(b)
		if err != nil {
			return nil, p2p.Reject
		}
		switch {
		case m.Vote != nil:
			err = m.Vote.VerifyWith(id, c.sigs.Verify)
		case m.Evidence != nil:
			err = m.Evidence.VerifyWith(id, c.sigs.Verify)
		case m.Status != nil:
			if m.Status.ChainID != id {
				err = protocols.ErrWrongChain
			}
		default:
			err = errors.New("not a vote-topic message")
		}
		if err != nil {
			return nil, p2p.Reject
		}
		return m, p2p.Accept
	})
	if err != nil {
		return err
	}
	c.txs, err = c.n.host.Join(protocols.TxTopic(id), func(ctx context.Context, b []byte) (any, p2p.Verdict) {
		if p2p.IsLocal(ctx) {
			return nil, p2p.Accept
		}
		tx, err := protocols.DecodeTx(b)
		if err != nil || c.verifyTxs([]*protocols.Tx{tx}) != nil {
			return nil, p2p.Reject
		}
		// A parked transaction (nonce slightly ahead) spreads too: its
		// predecessors are on their way, possibly through another node.
		if a, _ := c.admit(tx); a != rejected {
			return tx, p2p.Accept
		}
		// Stale nonces and spent balances race honestly across nodes: no
		// penalty.
		return nil, p2p.Ignore
	})
	if err != nil {
		return err
	}
	c.batches, err = c.n.host.Join(protocols.TxBatchTopic(id), func(ctx context.Context, b []byte) (any, p2p.Verdict) {
		if p2p.IsLocal(ctx) {
			return nil, p2p.Accept
		}
		txs, _, err := protocols.DecodeTxBatchGossip(b)
		if err != nil {
			return nil, p2p.Reject
		}
		if c.verifyTxs(txs) != nil {
			return nil, p2p.Reject
		}
		// In order, as POST /txs admits them; the batch spreads if any of
		// it is new here or waits for earlier nonces.
		spread := false
		for _, tx := range txs {
			if a, _ := c.admit(tx); a != rejected {
				spread = true
			}
		}
		if !spread {
			return nil, p2p.Ignore
		}
		return txs, p2p.Accept
	})
	return err
}

// receive hands validated gossip to the replica (transactions were added
// to the mempool by the validator).
func (c *chain) receive(ctx context.Context, t *p2p.Topic) {
	sub, err := t.Subscribe()
	if err != nil {
		c.n.log.Error("subscribe", "topic", t.Name(), "err", err)
		return
	}
	defer sub.Cancel()
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return
		}
		cm, ok := m.Value.(*protocols.ConsensusMessage)
		if !ok || m.Local {
			continue
		}
		// Answers go to the neighbour that delivered the message (gossip
		// names no author).
		c.deliver(m.Via.String(), cm)
	}
}

func (c *chain) deliver(from string, m *protocols.ConsensusMessage) {
	var in consensus.Input
	switch {
	case m.Proposal != nil:
		in.Proposal = m.Proposal
	case m.Vote != nil:
		in.Vote = m.Vote
	case m.Status != nil:
		in.Request = m.Status
	case m.Response != nil:
		in.Response = m.Response
	case m.Evidence != nil:
		// Only over gossip (handleStream drops evidence): the topic's
		// validator verified it.
		c.reportGossiped(m.Evidence)
		return
	default:
		return
	}
	c.rep.Deliver(from, in)
}

// Gossip implements replica.Transport.
func (c *chain) Gossip(ctx context.Context, m *protocols.ConsensusMessage) error {
	if m.Proposal != nil {
		b, err := protocols.EncodeProposal(m.Proposal)
		if err != nil {
			return err
		}
		return c.props.Publish(ctx, b)
	}
	if m.Status != nil {
		st := *m.Status
		st.Nonce = c.statusNonce.Add(1)
		m = &protocols.ConsensusMessage{Status: &st}
	}
	b, err := protocols.EncodeConsensusMessage(m)
	if err != nil {
		return err
	}
	return c.votes.Publish(ctx, b)
}

// maxCatchupFrame bounds one message on the catch-up stream.
const maxCatchupFrame = protocols.MaxCatchupResponseSize + 1

// Send implements replica.Transport: one stream per message.
func (c *chain) Send(ctx context.Context, to string, m *protocols.ConsensusMessage) error {
	id, err := peer.Decode(to)
	if err != nil {
		return err
	}
	b, err := protocols.EncodeConsensusMessage(m)
	if err != nil {
		return err
	}
	s, err := c.n.host.Libp2p().NewStream(ctx, id, protocols.CatchupProtocol(c.genesis.ChainID))
	if err != nil {
		return err
	}
	defer s.Close()
	s.SetWriteDeadline(time.Now().Add(10 * time.Second))
	frame := binary.AppendUvarint(nil, uint64(len(b)))
	if _, err := s.Write(append(frame, b...)); err != nil {
		s.Reset()
		return err
	}
	return nil
}

func (c *chain) handleStream(s network.Stream) {
	defer s.Close()
	s.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := &byteReader{r: io.LimitReader(s, maxCatchupFrame+binary.MaxVarintLen64)}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > maxCatchupFrame {
		s.Reset()
		return
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil {
		s.Reset()
		return
	}
	m, err := protocols.DecodeConsensusMessage(b)
	if err != nil || m.Evidence != nil {
		s.Reset() // malformed, or from a newer version: drop, don't ban
		return
	}
	c.deliver(s.Conn().RemotePeer().String(), m)
}

// byteReader adapts an io.Reader to io.ByteReader for ReadUvarint.
type byteReader struct{ r io.Reader }

func (b *byteReader) ReadByte() (byte, error) {
	var p [1]byte
	_, err := io.ReadFull(b.r, p[:])
	return p[0], err
}

// gossipBatch publishes encoded transactions as one batch message.
func (c *chain) gossipBatch(ctx context.Context, batch []byte) error {
	return c.batches.Publish(ctx, protocols.EncodeTxBatchGossip(c.batchNonce.Add(1), batch))
}
