package node

import (
	"bufio"
	"bytes"
	"context"
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
// checks the snapshot's block against its commit certificate, signed by
// more than two thirds of the genesis validator set's power, and the
// entries against that block's state root (ledger.Restore), restores it,
// and block sync fetches the rest.
//
// Trust: the validator set that must sign the snapshot's block is the
// genesis set, which is the set of every height until validator updates
// exist (docs/decisions.md, "Validator set"). Once the set changes at
// epoch boundaries, a fresh node must instead follow the certified
// headers from genesis (or a trusted recent header) through each change,
// as a Tendermint light client does, before it can trust a snapshot.

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
	vals := make([]protocols.Validator, len(g.Validators))
	for i, v := range g.Validators {
		vals[i] = protocols.Validator{PubKey: append([]byte(nil), v.Hotkey[:]...), Power: v.Power}
	}
	vs, err := consensus.NewValidatorSet(vals)
	if err != nil {
		return nil, err
	}
	return vs.Validators(), nil
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
	case !bytes.Equal(h.ValidatorsHash, trustedHash):
		// Not provably the peer's fault: the set may have changed since
		// the one this node trusts (see the trust note above).
		return nil, nil, nil, fmt.Errorf("snapshot block %d names validator set %x, not the trusted one %x", h.Height, h.ValidatorsHash, trustedHash)
	}
	if err := head.Commit.VerifyWith(chainID, trusted, verify); err != nil {
		return nil, nil, nil, fault("commit of block %d: %v", h.Height, err)
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
			Chunks: uint32(len(chunks)), Entries: uint64(len(snap.Entries)), Block: block, Commit: *cm})
		if err != nil {
			return nil, nil, err
		}
		return head, chunks, nil
	}
	return nil, nil, fmt.Errorf("%w: no servable snapshot (have %v)", ledger.ErrNotFound, hs)
}
