package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// Block sync over libp2p (protocols.SyncBlocksProtocol): the server side,
// the client's fetch, and the wiring of the syncer to the chain.

const (
	// syncDialTimeout bounds opening a sync stream.
	syncDialTimeout = 10 * time.Second
	// syncFrameTimeout bounds the wait for one frame, each way.
	syncFrameTimeout = 15 * time.Second
	// syncAnswerBytes bounds the bytes of one answer; the client asks
	// again from where it ended.
	syncAnswerBytes = 32 << 20
	// syncServing bounds the sync streams a node serves at once.
	syncServing = 4
)

// newSyncer wires block sync to the chain, its replica and the host.
func (c *chain) newSyncer() *syncer {
	return &syncer{
		log:    c.n.log.With("component", "sync"),
		height: c.ledger.Height,
		peers:  c.syncPeers,
		fetch:  c.fetchBlocks,
		apply:  c.rep.ApplyCertified,
		bulk:   c.rep.SetBulkSync,
		bad:    c.badPeer,

		preverify: c.preverify,
	}
}

// preverify checks a fetched block's commit and transaction signatures
// through the node's verification cache, off the replica's loop, so that
// the replica's checks (which decide) are cache hits. Failures are left
// for the replica to find.
func (c *chain) preverify(b *protocols.SyncBlock) {
	chainID := c.genesis.ChainID
	if lv, err := c.ledger.Validators(); err == nil {
		if vs, err := consensusSet(lv); err == nil {
			for i, sg := range b.Commit.Sigs {
				if int(sg.Index) < vs.Len() {
					_ = b.Commit.Precommit(i, vs.PubKey(int(sg.Index))).VerifyWith(chainID, c.sigs.Verify)
				}
			}
		}
	}
	blk, err := protocols.DecodeBlock(b.Value)
	if err != nil {
		return
	}
	for i := range blk.Txs {
		_ = blk.Txs[i].VerifyWith(chainID, c.sigs.Verify)
	}
}

// syncPeers lists the connected peers, with the heights they announced
// (signed node status) where known. The consensus status of neighbours
// (the replica's PeerHeight) names no peer; it raises the target of the
// first candidate so that a node hears of a higher chain even before any
// announcement.
func (c *chain) syncPeers() []syncPeer {
	heights := make(map[peer.ID]uint64)
	for _, st := range c.n.ann.seen() {
		heights[st.PeerID] = st.Height
	}
	var out []syncPeer
	for _, id := range c.n.host.Peers() {
		if c.n.host.Banned(id) {
			continue
		}
		out = append(out, syncPeer{id: id, height: heights[id]})
	}
	if ph := c.rep.Status().PeerHeight; ph > 0 {
		known := false
		for _, p := range out {
			known = known || p.height >= ph
		}
		if !known {
			// Someone is at ph: try every connected peer for it.
			for i := range out {
				if out[i].height == 0 {
					out[i].height = ph
				}
			}
		}
	}
	return out
}

// badPeer bans a peer that sent bad blocks or certificates: an honest
// node serves only blocks it verified itself.
func (c *chain) badPeer(p peer.ID, err error) {
	c.n.log.Warn("banning peer for bad sync data", "peer", p, "err", err)
	c.n.host.Ban(p, "sync: "+err.Error())
}

// fetchBlocks asks p for count blocks from from and streams the frames it
// answers into out. It implements fetchFunc.
func (c *chain) fetchBlocks(ctx context.Context, p peer.ID, from uint64, count uint32, out chan<- *protocols.SyncBlock) (uint32, error) {
	req, err := protocols.EncodeBlocksRequest(&protocols.BlocksRequest{Version: protocols.SyncVersion,
		ChainID: c.genesis.ChainID, From: from, Count: count})
	if err != nil {
		return 0, err
	}
	dctx, cancel := context.WithTimeout(ctx, syncDialTimeout)
	s, err := c.n.host.Libp2p().NewStream(dctx, p, protocols.SyncBlocksProtocol(c.genesis.ChainID))
	cancel()
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
	if err := protocols.WriteMsg(s, req); err != nil {
		s.Reset()
		return 0, err
	}
	if err := s.CloseWrite(); err != nil {
		s.Reset()
		return 0, err
	}
	n, err := readBlocks(ctx, s, from, count, out)
	if err != nil {
		s.Reset()
		return n, err
	}
	s.Close()
	return n, nil
}

// deadliner is the part of a stream readBlocks needs besides reading.
type deadliner interface {
	io.Reader
	SetReadDeadline(time.Time) error
}

// readBlocks reads SyncBlock frames answering a request for count blocks
// from from, checks their order, and sends them to out. End of stream
// ends the answer early, as the protocol allows.
func readBlocks(ctx context.Context, s deadliner, from uint64, count uint32, out chan<- *protocols.SyncBlock) (uint32, error) {
	r := bufio.NewReaderSize(s, 64<<10)
	var n uint32
	for n < count {
		s.SetReadDeadline(time.Now().Add(syncFrameTimeout))
		b, err := protocols.ReadMsg(r, protocols.MaxSyncBlockSize)
		switch {
		case errors.Is(err, io.EOF):
			return n, nil
		case errors.Is(err, protocols.ErrTooLarge) || errors.Is(err, protocols.ErrNotCanonical):
			return n, fmt.Errorf("%w: %v", errPeerFault, err)
		case err != nil:
			return n, err
		}
		sb, err := protocols.DecodeSyncBlock(b)
		if err != nil {
			return n, fmt.Errorf("%w: block %d: %v", errPeerFault, from+uint64(n), err)
		}
		if want := from + uint64(n); sb.Height != want {
			return n, fmt.Errorf("%w: sent block %d where %d was due", errPeerFault, sb.Height, want)
		}
		select {
		case out <- sb:
		case <-ctx.Done():
			return n, ctx.Err()
		}
		n++
	}
	return n, nil
}

// handleSyncBlocks answers one BlocksRequest with the stored blocks and
// certificates from its From, up to its Count, this node's tip, or
// syncAnswerBytes, whichever comes first.
func (c *chain) handleSyncBlocks(s network.Stream) {
	select {
	case c.serving <- struct{}{}:
		defer func() { <-c.serving }()
	default:
		s.Reset() // busy: the client asks another peer
		return
	}
	s.SetReadDeadline(time.Now().Add(syncFrameTimeout))
	b, err := protocols.ReadMsg(bufio.NewReaderSize(io.LimitReader(s, protocols.MaxBlocksRequestSize+16), 128), protocols.MaxBlocksRequestSize)
	if err != nil {
		s.Reset()
		return
	}
	req, err := protocols.DecodeBlocksRequest(b)
	if err != nil || req.ChainID != c.genesis.ChainID {
		s.Reset()
		return
	}
	w := bufio.NewWriterSize(s, 64<<10)
	sent := 0
	tip := c.ledger.Height()
	for h := req.From; h < req.From+uint64(req.Count) && h <= tip && sent < syncAnswerBytes; h++ {
		frame, err := c.syncBlock(h)
		if err != nil {
			// Below a restored snapshot, or stored without a certificate:
			// the answer ends here.
			c.n.log.Debug("sync: cannot serve block", "height", h, "err", err)
			break
		}
		s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
		if err := protocols.WriteMsg(w, frame); err != nil {
			s.Reset()
			return
		}
		sent += len(frame)
	}
	s.SetWriteDeadline(time.Now().Add(syncFrameTimeout))
	if err := w.Flush(); err != nil {
		s.Reset()
		return
	}
	s.Close()
}

// syncBlock returns the SyncBlock frame of the stored block at h.
func (c *chain) syncBlock(h uint64) ([]byte, error) {
	value, err := c.ledger.BlockBytes(h)
	if err != nil {
		return nil, err
	}
	cert, err := c.ledger.CommitBytes(h)
	if err != nil {
		return nil, err
	}
	if len(cert) == 0 {
		return nil, fmt.Errorf("block %d has no commit certificate", h)
	}
	cm, err := protocols.DecodeCommit(cert)
	if err != nil {
		return nil, err
	}
	return protocols.EncodeSyncBlock(&protocols.SyncBlock{Version: protocols.SyncVersion, Height: h, Value: value, Commit: *cm})
}
