package node

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Snapshot sync (protocols.SyncSnapshotProtocol): a node whose ledger is
// fresh asks its first peers for their latest snapshot. If one is at
// least snapshotMinIntervals snapshot intervals above genesis, the node
// checks the snapshot's block against its commit certificate and the
// entries against that block's state root (ledger.Restore), restores it,
// and block sync fetches the rest.
//
// Trust: the node trusts the genesis validator set. A block committed by
// that set needs more than two thirds of its power. Once the set has
// changed (stake-weighted sets at tempo boundaries), the peer names the
// set that committed the block (its encoding hashes to the block's
// ValidatorsHash); the node accepts the block as a Tendermint light client
// skips ahead: more than two thirds of the named set signed, and the
// signers include more than a third of the genesis set's power — at least
// one genesis validator that was honest vouches for it. A set turned over
// past that (less than a third of the genesis power still signing) makes
// the node replay the blocks instead, each certified by the set the
// replayed state names.

// Config.Sync modes.
const (
	SyncSnapshot = "snapshot"
	SyncBlocks   = "blocks"
)

const (
	// snapshotMinIntervals is how many snapshot intervals above genesis
	// a peer's snapshot must be for a fresh node to restore it rather than
	// replay the blocks.
	snapshotMinIntervals = 2
	// snapshotPeerWait bounds the wait for a first peer at start.
	snapshotPeerWait = 5 * time.Second
	// snapshotPeers bounds the peers asked.
	snapshotPeers = 4
	// snapshotChunkBytes is the size a server fills a chunk to.
	snapshotChunkBytes = protocols.MaxSnapshotChunkSize / 4
)

// restoreFromPeers fetches, verifies and restores the latest snapshot of
// a peer into the fresh store, and returns the ledger opened on it; nil
// if no peer holds a snapshot high enough.
func (c *chain) restoreFromPeers(ctx context.Context, opts ...ledger.Option) (*ledger.Ledger, error) {
	g := c.genesis
	trusted, err := genesisSet(g)
	if err != nil {
		return nil, err
	}
	trustedHash, err := ledger.ValidatorSet(g.Validators).Hash()
	if err != nil {
		return nil, err
	}
	minHeight := snapshotMinIntervals * g.Params.SnapshotInterval
	// Peers come from the bootstrap list or mDNS; with neither (the
	// first node of a network) there is no one to wait for.
	wait := snapshotPeerWait
	switch {
	case len(c.n.cfg.Bootstrap) > 0:
	case !c.n.cfg.NoMDNS:
		wait = time.Second
	default:
		wait = 0
	}
	deadline := time.Now().Add(wait)
	for len(c.n.host.Peers()) == 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	peers := c.n.host.Peers()
	if len(peers) > snapshotPeers {
		peers = peers[:snapshotPeers]
	}
	for _, p := range peers {
		snap, block, cert, err := c.fetchSnapshot(ctx, p, trusted, trustedHash, minHeight)
		switch {
		case errors.Is(err, errPeerFault):
			c.n.log.Warn("snapshot sync: bad peer", "peer", p, "err", err)
			c.badPeer(p, err)
			continue
		case err != nil:
			c.n.log.Debug("snapshot sync: peer failed", "peer", p, "err", err)
			continue
		case snap == nil:
			continue
		}
		began := time.Now()
		l, err := ledger.Restore(c.store, g, snap, &block.Header, cert, opts...)
		if errors.Is(err, ledger.ErrBadSnapshot) {
			// Restore checks before it writes: the store is still empty.
			c.n.log.Warn("snapshot sync: bad snapshot", "peer", p, "err", err)
			c.badPeer(p, fmt.Errorf("%w: %v", errPeerFault, err))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("restore snapshot %d: %w (move %s away and start again)", snap.Height, err, c.n.cfg.DataDir)
		}
		c.n.log.Info("restored snapshot", "height", snap.Height, "entries", len(snap.Entries), "peer", p, "took", time.Since(began).Round(time.Millisecond))
		c.restored = snap.Height
		return l, nil
	}
	return nil, nil
}

// genesisSet is the validator set of the genesis, in canonical order.
func genesisSet(g *ledger.Genesis) ([]protocols.Validator, error) {
	return protocolSet(g.Validators)
}

// fetchSnapshot reads p's latest snapshot: nil if it has none at or above
// minHeight. The head is verified before any chunk is read; an error
// wrapping errPeerFault blames p.
func (c *chain) fetchSnapshot(ctx context.Context, p peer.ID, trusted []protocols.Validator, trustedHash []byte, minHeight uint64) (*ledger.Snapshot, *protocols.Block, []byte, error) {
	chainID := c.genesis.ChainID
	req, err := protocols.EncodeSnapshotRequest(&protocols.SnapshotRequest{Version: protocols.SyncVersion, ChainID: chainID})
	if err != nil {
		return nil, nil, nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, syncDialTimeout)
	s, err := c.n.host.Libp2p().NewStream(dctx, p, protocols.SyncSnapshotProtocol(chainID))
	cancel()
	if err != nil {
		return nil, nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
	err = protocols.WriteMsg(s, req)
	if err == nil {
		err = s.CloseWrite()
	}
	if err != nil {
		s.Reset()
		return nil, nil, nil, err
	}
	snap, block, cert, err := readSnapshot(s, chainID, c.sigs.Verify, trusted, trustedHash, minHeight)
	if err != nil || snap == nil {
		s.Reset()
	} else {
		s.Close()
	}
	return snap, block, cert, err
}

// readSnapshot reads and checks a snapshot answer (see fetchSnapshot).
func readSnapshot(s deadliner, chainID string, verify protocols.VerifyFunc, trusted []protocols.Validator, trustedHash []byte, minHeight uint64) (*ledger.Snapshot, *protocols.Block, []byte, error) {
	fault := func(format string, args ...any) error {
		return fmt.Errorf("%w: snapshot: "+format, append([]any{errPeerFault}, args...)...)
	}
	r := bufio.NewReaderSize(s, 64<<10)
	s.SetReadDeadline(time.Now().Add(syncFrameTimeout))
	b, err := protocols.ReadMsg(r, protocols.MaxSnapshotHeadSize)
	switch {
	case errors.Is(err, io.EOF):
		return nil, nil, nil, nil // no snapshot
	case errors.Is(err, protocols.ErrTooLarge) || errors.Is(err, protocols.ErrNotCanonical):
		return nil, nil, nil, fault("%v", err)
	case err != nil:
		return nil, nil, nil, err
	}
	head, err := protocols.DecodeSnapshotHead(b)
	if err != nil {
		return nil, nil, nil, fault("%v", err)
	}
	if head.Height < minHeight {
		return nil, nil, nil, nil
	}
	block, err := protocols.DecodeBlock(head.Block)
	if err != nil {
		return nil, nil, nil, fault("block: %v", err)
	}
	h := &block.Header
	switch {
	case h.ChainID != chainID || h.Height != head.Height:
		return nil, nil, nil, fault("block of chain %q at %d for a snapshot at %d", h.ChainID, h.Height, head.Height)
	}
	if bytes.Equal(h.ValidatorsHash, trustedHash) {
		if err := head.Commit.VerifyWith(chainID, trusted, verify); err != nil {
			return nil, nil, nil, fault("commit of block %d: %v", h.Height, err)
		}
	} else if err := verifyAcrossSets(head, h.ValidatorsHash, chainID, verify, trusted, fault); err != nil {
		return nil, nil, nil, err
	}
	cert, err := protocols.EncodeCommit(&head.Commit)
	if err != nil {
		return nil, nil, nil, err
	}
	ws, err := cid.Cast(head.WriteSetCID)
	if err != nil {
		return nil, nil, nil, fault("%v", err)
	}
	snap := &ledger.Snapshot{Height: head.Height, WriteSetCID: ws}
	copy(snap.PrevRoot[:], head.PrevRoot)
	copy(snap.Digest[:], head.Digest)
	for i := range head.Chunks {
		s.SetReadDeadline(time.Now().Add(syncFrameTimeout))
		b, err := protocols.ReadMsg(r, protocols.MaxSnapshotChunkSize)
		if err != nil {
			if errors.Is(err, protocols.ErrTooLarge) || errors.Is(err, protocols.ErrNotCanonical) {
				return nil, nil, nil, fault("chunk %d: %v", i, err)
			}
			return nil, nil, nil, fmt.Errorf("snapshot chunk %d: %w", i, err)
		}
		ch, err := protocols.DecodeSnapshotChunk(b)
		if err != nil {
			return nil, nil, nil, fault("chunk %d: %v", i, err)
		}
		if ch.Height != head.Height || ch.Index != i || uint64(len(snap.Entries)+len(ch.Entries)) > head.Entries {
			return nil, nil, nil, fault("chunk %d: index %d at %d, or more entries than the head's %d", i, ch.Index, ch.Height, head.Entries)
		}
		for _, e := range ch.Entries {
			snap.Entries = append(snap.Entries, ledger.KV{Key: e.Key, Value: e.Value})
		}
	}
	if uint64(len(snap.Entries)) != head.Entries {
		return nil, nil, nil, fault("%d entries, the head says %d", len(snap.Entries), head.Entries)
	}
	// The entries against the certified state root, before anything is
	// written (ledger.Restore checks again).
	if err := snap.Verify(h); err != nil {
		return nil, nil, nil, fault("%v", err)
	}
	return snap, block, cert, nil
}

// verifyAcrossSets checks the commit of a snapshot block committed by a
// validator set other than the trusted one, as a Tendermint light client
// skips ahead: the set the head names must hash to the block's
// ValidatorsHash, more than two thirds of its power must have signed, and
// the signers must hold more than a third of the trusted set's power — so
// at least one honest validator this node trusts vouches for the block,
// unless a third of the trusted power has turned faulty since. The trusted
// set falling under that third (a set turned over since genesis) is not
// the peer's fault: the node block-syncs instead.
func verifyAcrossSets(head *protocols.SnapshotHead, valsHash []byte, chainID string, verify protocols.VerifyFunc, trusted []protocols.Validator, fault func(string, ...any) error) error {
	h := head.Commit.Height
	if len(head.ValidatorSet) == 0 {
		return fmt.Errorf("snapshot block %d names a validator set this node does not trust and the peer sent none", h)
	}
	if sum := sha256.Sum256(head.ValidatorSet); !bytes.Equal(sum[:], valsHash) {
		return fault("validator set does not hash to block %d's", h)
	}
	lvs, err := ledger.DecodeValidatorSet(head.ValidatorSet)
	if err != nil {
		return fault("%v", err)
	}
	vals, err := protocolSet(lvs)
	if err != nil {
		return fault("%v", err)
	}
	if err := head.Commit.VerifyWith(chainID, vals, verify); err != nil {
		return fault("commit of block %d: %v", h, err)
	}
	total, err := protocols.TotalPower(trusted)
	if err != nil {
		return err
	}
	var vouched uint64
	for _, s := range head.Commit.Sigs {
		for _, t := range trusted {
			if bytes.Equal(t.PubKey, vals[s.Index].PubKey) {
				vouched += t.Power
			}
		}
	}
	if 3*vouched <= total {
		return fmt.Errorf("snapshot block %d: its signers hold %d of the trusted set's %d power, not more than a third (the set has turned over); syncing blocks instead", h, vouched, total)
	}
	return nil
}

// consensusSet is a ledger validator set as consensus holds it, in the
// order commit signature indices refer to (NewValidatorSet copies the
// keys).
func consensusSet(lv ledger.ValidatorSet) (consensus.ValidatorSet, error) {
	vals := make([]protocols.Validator, len(lv))
	for i, v := range lv {
		vals[i] = protocols.Validator{PubKey: v.Hotkey[:], Power: v.Power}
	}
	return consensus.NewValidatorSet(vals)
}

// protocolSet is a ledger validator set as consensus orders it.
func protocolSet(lv ledger.ValidatorSet) ([]protocols.Validator, error) {
	vs, err := consensusSet(lv)
	if err != nil {
		return nil, err
	}
	return vs.Validators(), nil
}

// handleSyncSnapshot answers a SnapshotRequest with the latest stored
// snapshot whose block this node holds (or the one asked for), head
// first, then its chunks.
func (c *chain) handleSyncSnapshot(s network.Stream) {
	select {
	case c.serving <- struct{}{}:
		defer func() { <-c.serving }()
	default:
		s.Reset()
		return
	}
	s.SetReadDeadline(time.Now().Add(syncFrameTimeout))
	b, err := protocols.ReadMsg(bufio.NewReaderSize(io.LimitReader(s, protocols.MaxSnapshotRequestSize+16), 128), protocols.MaxSnapshotRequestSize)
	if err != nil {
		s.Reset()
		return
	}
	req, err := protocols.DecodeSnapshotRequest(b)
	if err != nil || req.ChainID != c.genesis.ChainID {
		s.Reset()
		return
	}
	head, chunks, err := c.snapshotFrames(req.Height)
	if err != nil {
		c.n.log.Debug("sync: no snapshot to serve", "height", req.Height, "err", err)
		s.Close() // no frames: no snapshot
		return
	}
	w := bufio.NewWriterSize(s, 64<<10)
	for _, f := range append([][]byte{head}, chunks...) {
		s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
		if err := protocols.WriteMsg(w, f); err != nil {
			s.Reset()
			return
		}
	}
	s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
	if err := w.Flush(); err != nil {
		s.Reset()
		return
	}
	s.Close()
}

// snapshotFrames encodes the snapshot at height (0: the latest whose
// block is stored) as a head and chunk frames.
func (c *chain) snapshotFrames(height uint64) ([]byte, [][]byte, error) {
	hs, err := c.ledger.Snapshots()
	if err != nil {
		return nil, nil, err
	}
	for i := len(hs) - 1; i >= 0; i-- {
		h := hs[i]
		if h == 0 || (height != 0 && h != height) {
			continue
		}
		block, err := c.ledger.BlockBytes(h)
		if err != nil {
			continue // a restored snapshot: its block is not stored
		}
		cb, err := c.ledger.CommitBytes(h)
		if err != nil || len(cb) == 0 {
			continue
		}
		cm, err := protocols.DecodeCommit(cb)
		if err != nil {
			return nil, nil, err
		}
		snap, err := c.ledger.ExportSnapshot(h)
		if err != nil {
			return nil, nil, err
		}
		// The set that committed block h, for clients whose trusted set is
		// older: the snapshot's state holds the set of h+1, the same one
		// unless block h changed it (then an older snapshot is served).
		vsb := snap.ValidatorSetBytes()
		b, err := protocols.DecodeBlock(block)
		if err != nil {
			return nil, nil, err
		}
		if sum := sha256.Sum256(vsb); vsb == nil || !bytes.Equal(sum[:], b.Header.ValidatorsHash) {
			continue
		}
		var chunks [][]byte
		ch := &protocols.SnapshotChunk{Version: protocols.SyncVersion, Height: h}
		size := 0
		flush := func() error {
			f, err := protocols.EncodeSnapshotChunk(ch)
			if err != nil {
				return err
			}
			chunks = append(chunks, f)
			ch = &protocols.SnapshotChunk{Version: protocols.SyncVersion, Height: h, Index: ch.Index + 1}
			size = 0
			return nil
		}
		for _, kv := range snap.Entries {
			ch.Entries = append(ch.Entries, protocols.SnapshotEntry{Key: kv.Key, Value: kv.Value})
			size += len(kv.Key) + len(kv.Value) + 16
			if size >= snapshotChunkBytes || len(ch.Entries) == protocols.MaxSnapshotChunkEntries {
				if err := flush(); err != nil {
					return nil, nil, err
				}
			}
		}
		if len(ch.Entries) > 0 {
			if err := flush(); err != nil {
				return nil, nil, err
			}
		}
		head, err := protocols.EncodeSnapshotHead(&protocols.SnapshotHead{Version: protocols.SyncVersion, Height: h,
			PrevRoot: snap.PrevRoot[:], WriteSetCID: snap.WriteSetCID.Bytes(), Digest: snap.Digest[:],
			Chunks: uint32(len(chunks)), Entries: uint64(len(snap.Entries)), Block: block, Commit: *cm, ValidatorSet: vsb})
		if err != nil {
			return nil, nil, err
		}
		return head, chunks, nil
	}
	return nil, nil, fmt.Errorf("%w: no servable snapshot (have %v)", ledger.ErrNotFound, hs)
}
