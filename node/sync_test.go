package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/ledger/replica"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// A unit test of the block sync client (syncer) against test-double
// peers: each serves SyncBlock frames built from a certified chain, as a
// real peer's handleSyncBlocks would, through the client's real frame
// reader (readBlocks); one of them tampers with what it serves. The
// follower applies through a real replica and ledger.

type syncChain struct {
	g    *ledger.Genesis
	keys []ed25519.PrivateKey
	vs   consensus.ValidatorSet
	src  *ledger.Ledger
}

// newSyncChain commits n empty blocks, each certified by all 4
// validators.
func newSyncChain(t *testing.T, n int) *syncChain {
	t.Helper()
	return newSyncChainParams(t, n, func(*ledger.Params) {})
}

func newSyncChainParams(t *testing.T, n int, tune func(*ledger.Params)) *syncChain {
	t.Helper()
	sc := &syncChain{}
	var vals []protocols.Validator
	for i := range 4 {
		k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		sc.keys = append(sc.keys, k)
		vals = append(vals, protocols.Validator{PubKey: k.Public().(ed25519.PublicKey), Power: 10})
	}
	var err error
	if sc.vs, err = consensus.NewValidatorSet(vals); err != nil {
		t.Fatal(err)
	}
	p := ledger.DevParams()
	tune(&p)
	faucet, _ := ledger.AccountOf(sc.keys[0].Public().(ed25519.PublicKey))
	sc.g = &ledger.Genesis{ChainID: "synctest", Time: 1_700_000_000_000, Params: p,
		Balances: map[ledger.Account]market.Rao{faucet: 1000 * market.RaoPerTAO}}
	for _, k := range sc.keys {
		hk, _ := ledger.AccountOf(k.Public().(ed25519.PublicKey))
		sc.g.Validators = append(sc.g.Validators, ledger.Validator{Hotkey: ledger.Hotkey(hk), Coldkey: faucet, Power: 10})
	}
	if sc.src, err = ledger.Open(ledger.NewMemStore(), sc.g); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= uint64(n); h++ {
		b, err := sc.src.ProposeBlock(h, sc.src.Tip().Time+1, sc.keys[0].Public().(ed25519.PublicKey), 100)
		if err != nil {
			t.Fatal(err)
		}
		value, err := protocols.EncodeBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := protocols.EncodeCommit(sc.certify(t, h, value, 4))
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.src.CommitBlock(b, cert); err != nil {
			t.Fatal(err)
		}
	}
	return sc
}

// certify signs value at height by the first signers validators in set
// order.
func (sc *syncChain) certify(t *testing.T, h uint64, value []byte, signers int) *protocols.Commit {
	t.Helper()
	id := protocols.ValueID(value)
	c := &protocols.Commit{Version: protocols.ConsensusVersion, ChainID: sc.g.ChainID, Height: h, ValueID: id}
	for i := range signers {
		pub := sc.vs.PubKey(i)
		k := sc.keys[slices.IndexFunc(sc.keys, func(k ed25519.PrivateKey) bool { return bytes.Equal(k.Public().(ed25519.PublicKey), pub) })]
		v := &protocols.Vote{Version: protocols.ConsensusVersion, ChainID: sc.g.ChainID, Type: protocols.Precommit, Height: h, ValueID: id}
		if err := v.Sign(k); err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, protocols.CommitSig{Index: uint32(i), Sig: v.Sig})
	}
	return c
}

// frame returns the SyncBlock of height h as the source stores it.
func (sc *syncChain) frame(t *testing.T, h uint64) *protocols.SyncBlock {
	t.Helper()
	value, err := sc.src.BlockBytes(h)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := sc.src.CommitBytes(h)
	if err != nil {
		t.Fatal(err)
	}
	c, err := protocols.DecodeCommit(cb)
	if err != nil {
		t.Fatal(err)
	}
	return &protocols.SyncBlock{Version: protocols.SyncVersion, Height: h, Value: value, Commit: *c}
}

// streamOf is a test double's answer: the frames as bytes on a reader.
type streamOf struct{ io.Reader }

func (streamOf) SetReadDeadline(time.Time) error { return nil }

// fakePeer serves the source chain; tamper, if set, rewrites the encoded
// frame of a height (nil: serve it as is).
type fakePeer struct {
	sc     *syncChain
	height uint64
	tamper func(h uint64, f *protocols.SyncBlock) []byte
}

func (p *fakePeer) fetch(t *testing.T) fetchFunc {
	return func(ctx context.Context, _ peer.ID, from uint64, count uint32, out chan<- *protocols.SyncBlock) (uint32, error) {
		var buf bytes.Buffer
		for h := from; h < from+uint64(count) && h <= p.height; h++ {
			f := p.sc.frame(t, h)
			b, err := protocols.EncodeSyncBlock(f)
			if err != nil {
				t.Error(err)
				return 0, err
			}
			if p.tamper != nil {
				if tb := p.tamper(h, f); tb != nil {
					b = tb
				}
			}
			if err := protocols.WriteMsg(&buf, b); err != nil {
				return 0, err
			}
		}
		return readBlocks(ctx, streamOf{&buf}, from, count, out)
	}
}

// TestSyncerSkipsBadPeer: the peer claiming the highest chain serves a
// bad block at height 70; the syncer reports it, goes on from the honest
// peer, and ends at the source's state root.
func TestSyncerSkipsBadPeer(t *testing.T) {
	const n = 300
	sc := newSyncChain(t, n)
	mustEncode := func(f *protocols.SyncBlock) []byte {
		b, err := protocols.Marshal(f) // unchecked: a peer need not encode validly
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name   string
		tamper func(h uint64, f *protocols.SyncBlock) []byte
	}{
		{"commit-two-of-four", func(h uint64, f *protocols.SyncBlock) []byte {
			f.Commit = *sc.certify(t, h, f.Value, 2)
			return mustEncode(f)
		}},
		{"forged-signature", func(h uint64, f *protocols.SyncBlock) []byte {
			f.Commit.Sigs[1].Sig = bytes.Clone(f.Commit.Sigs[0].Sig)
			return mustEncode(f)
		}},
		{"block-not-certified", func(h uint64, f *protocols.SyncBlock) []byte {
			b, _ := protocols.DecodeBlock(f.Value)
			b.Header.Time++
			f.Value, _ = protocols.EncodeBlock(b)
			return mustEncode(f)
		}},
		{"block-recertified-by-others", func(h uint64, f *protocols.SyncBlock) []byte {
			// A self-consistent frame (the decoder accepts it) whose
			// signatures are not the validators'.
			b, _ := protocols.DecodeBlock(f.Value)
			b.Header.Time++
			f.Value, _ = protocols.EncodeBlock(b)
			f.Commit.ValueID = protocols.ValueID(f.Value)
			return mustEncode(f)
		}},
		{"wrong-height", func(h uint64, f *protocols.SyncBlock) []byte {
			return mustEncode(sc.frame(t, h+1))
		}},
		{"oversized-frame", func(h uint64, f *protocols.SyncBlock) []byte {
			return make([]byte, protocols.MaxSyncBlockSize+1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evil := &fakePeer{sc: sc, height: n, tamper: func(h uint64, f *protocols.SyncBlock) []byte {
				if h != 70 {
					return nil
				}
				return tt.tamper(h, f)
			}}
			good := &fakePeer{sc: sc, height: n}
			l, err := ledger.Open(ledger.NewMemStore(), sc.g)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := replica.New(replica.Config{Ledger: l, Dir: t.TempDir(), Transport: dropTransport{}})
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer rep.Close()
			var mu sync.Mutex
			var bad []peer.ID
			s := &syncer{
				log:    slog.New(slog.DiscardHandler),
				height: l.Height,
				peers: func() []syncPeer {
					// The liar claims more, so it is asked first.
					return []syncPeer{{id: "good", height: n}, {id: "evil", height: n + 50}}
				},
				fetch: func(ctx context.Context, p peer.ID, from uint64, count uint32, out chan<- *protocols.SyncBlock) (uint32, error) {
					if p == "evil" {
						return evil.fetch(t)(ctx, p, from, count, out)
					}
					return good.fetch(t)(ctx, p, from, count, out)
				},
				apply: rep.ApplyCertified,
				bulk:  rep.SetBulkSync,
				bad: func(p peer.ID, err error) {
					mu.Lock()
					bad = append(bad, p)
					mu.Unlock()
				},
			}
			progressed, tried := s.round(context.Background())
			if !progressed || !tried {
				t.Fatalf("round: progressed %v, tried %v", progressed, tried)
			}
			if l.Height() != n || l.StateRoot() != sc.src.StateRoot() {
				t.Fatalf("follower at %d (root %s), source at %d (root %s)", l.Height(), l.StateRoot(), n, sc.src.StateRoot())
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(bad, []peer.ID{"evil"}) {
				t.Fatalf("reported %v, want [evil]", bad)
			}
			if st := s.status(); st.BadPeers != 1 || st.Blocks != n {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestSyncerWaitsWhenClose: within syncLag of the best peer, the syncer
// leaves catch-up to consensus and asks nobody.
func TestSyncerWaitsWhenClose(t *testing.T) {
	s := &syncer{
		log:    slog.New(slog.DiscardHandler),
		height: func() uint64 { return 100 },
		peers:  func() []syncPeer { return []syncPeer{{id: "a", height: 100 + syncLag - 1}} },
		fetch: func(context.Context, peer.ID, uint64, uint32, chan<- *protocols.SyncBlock) (uint32, error) {
			t.Fatal("fetched while close to the tip")
			return 0, nil
		},
	}
	if progressed, tried := s.round(context.Background()); progressed || tried {
		t.Fatalf("round: progressed %v, tried %v", progressed, tried)
	}
}

// dropTransport drops the replica's messages: the follower hears of
// blocks only through block sync.
type dropTransport struct{}

func (dropTransport) Gossip(context.Context, *protocols.ConsensusMessage) error       { return nil }
func (dropTransport) Send(context.Context, string, *protocols.ConsensusMessage) error { return nil }

// TestReadSnapshotRejects: the snapshot client (readSnapshot) against a
// test-double peer's answer, built by the real server code
// (snapshotFrames) and then tampered with. Bad data blames the peer;
// a block committed by another validator set is accepted when the set
// hashes to the block's, signed it, and holds more than a third of the
// trusted power among its signers; with less it only fails (the node
// block-syncs instead).
func TestReadSnapshotRejects(t *testing.T) {
	sc := newSyncChainParams(t, 25, func(p *ledger.Params) { p.SnapshotInterval = 10 })
	server := &chain{ledger: sc.src, genesis: sc.g}
	trusted, err := genesisSet(sc.g)
	if err != nil {
		t.Fatal(err)
	}
	trustedHash, err := ledger.ValidatorSet(sc.g.Validators).Hash()
	if err != nil {
		t.Fatal(err)
	}
	encode := func(v any) []byte {
		b, err := protocols.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		tamper    func(head *protocols.SnapshotHead, chunks []*protocols.SnapshotChunk)
		wantFault bool
		wantErr   bool
	}{
		{"honest", func(*protocols.SnapshotHead, []*protocols.SnapshotChunk) {}, false, false},
		{"entry-changed", func(_ *protocols.SnapshotHead, ch []*protocols.SnapshotChunk) {
			ch[0].Entries[0].Value = append(bytes.Clone(ch[0].Entries[0].Value), 1)
		}, true, true},
		{"entry-dropped", func(h *protocols.SnapshotHead, ch []*protocols.SnapshotChunk) {
			ch[0].Entries = ch[0].Entries[1:]
			h.Entries--
		}, true, true},
		{"digest-changed", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) { h.Digest[0] ^= 1 }, true, true},
		{"commit-two-of-four", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			h.Commit = *sc.certify(t, h.Height, h.Block, 2)
		}, true, true},
		{"set-not-matching-block", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			b, _ := protocols.DecodeBlock(h.Block)
			b.Header.ValidatorsHash = make([]byte, 32)
			h.Block, _ = protocols.EncodeBlock(b)
			h.Commit = *sc.certify(t, h.Height, h.Block, 4)
		}, true, true},
		// The set changed since genesis: a fifth validator joined with
		// half the power; the four genesis validators vouch.
		{"set-changed-vouched", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			resign(t, sc, h, append(slices.Clone(sc.keys), newKey(9)), []uint64{10, 10, 10, 10, 40}, 5)
		}, false, false},
		{"set-changed-no-quorum", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			resign(t, sc, h, append(slices.Clone(sc.keys), newKey(9)), []uint64{10, 10, 10, 10, 40}, 2) // at most 50 of 80
		}, true, true},
		{"set-changed-without-the-set", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			resign(t, sc, h, append(slices.Clone(sc.keys), newKey(9)), []uint64{10, 10, 10, 10, 40}, 5)
			h.ValidatorSet = nil
		}, false, true},
		// A set with one genesis validator of four left: a quarter of the
		// trusted power is not enough to skip to it.
		{"set-turned-over", func(h *protocols.SnapshotHead, _ []*protocols.SnapshotChunk) {
			resign(t, sc, h, []ed25519.PrivateKey{sc.keys[0], newKey(7), newKey(8), newKey(9)}, []uint64{10, 10, 10, 10}, 4)
		}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hb, cbs, err := server.snapshotFrames(0)
			if err != nil {
				t.Fatal(err)
			}
			head, err := protocols.DecodeSnapshotHead(hb)
			if err != nil {
				t.Fatal(err)
			}
			var chunks []*protocols.SnapshotChunk
			for _, cb := range cbs {
				ch, err := protocols.DecodeSnapshotChunk(cb)
				if err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, ch)
			}
			tt.tamper(head, chunks)
			var buf bytes.Buffer
			protocols.WriteMsg(&buf, encode(head))
			for _, ch := range chunks {
				protocols.WriteMsg(&buf, encode(ch))
			}
			snap, _, _, err := readSnapshot(streamOf{&buf}, sc.g.ChainID, protocols.Verify, trusted, trustedHash, 10)
			if (err != nil) != tt.wantErr || errors.Is(err, errPeerFault) != tt.wantFault {
				t.Fatalf("got %v; want error %v, peer fault %v", err, tt.wantErr, tt.wantFault)
			}
			if err == nil && (snap.Height != 20 || len(snap.Entries) == 0) {
				t.Fatalf("snapshot at %d with %d entries, want the one at 20", snap.Height, len(snap.Entries))
			}
		})
	}
}

func newKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
}

// resign makes head's block name the validator set of keys with powers
// (the genesis coldkey for all), puts that set in the head and has the
// first signers of it, in consensus order, sign the block.
func resign(t *testing.T, sc *syncChain, head *protocols.SnapshotHead, keys []ed25519.PrivateKey, powers []uint64, signers int) {
	t.Helper()
	var lvs ledger.ValidatorSet
	for i, k := range keys {
		hk, _ := ledger.AccountOf(k.Public().(ed25519.PublicKey))
		lvs = append(lvs, ledger.Validator{Hotkey: ledger.Hotkey(hk), Coldkey: sc.g.Validators[0].Coldkey, Power: powers[i]})
	}
	enc, err := lvs.Encode()
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := lvs.Hash()
	b, _ := protocols.DecodeBlock(head.Block)
	b.Header.ValidatorsHash = hash
	head.Block, _ = protocols.EncodeBlock(b)
	head.ValidatorSet = enc
	vals, err := protocolSet(lvs)
	if err != nil {
		t.Fatal(err)
	}
	id := protocols.ValueID(head.Block)
	c := &protocols.Commit{Version: protocols.ConsensusVersion, ChainID: sc.g.ChainID, Height: head.Height, ValueID: id}
	for i := range signers {
		k := keys[slices.IndexFunc(keys, func(k ed25519.PrivateKey) bool { return bytes.Equal(k.Public().(ed25519.PublicKey), vals[i].PubKey) })]
		v := &protocols.Vote{Version: protocols.ConsensusVersion, ChainID: sc.g.ChainID, Type: protocols.Precommit, Height: head.Height, ValueID: id}
		if err := v.Sign(k); err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, protocols.CommitSig{Index: uint32(i), Sig: v.Sig})
	}
	head.Commit = *c
}
