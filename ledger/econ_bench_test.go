package ledger

import (
	"encoding/binary"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/yuma"
)

// benchMarket returns a ledger with subnets × neurons uids: every subnet's
// first 64 uids are validators staked with 10 TAO whose weights cover
// every uid, the rest miners. The state is written at genesis and the
// weights straight into the store (a benchmark fixture, not a path users
// take). The store is badger, as on a node.
func benchMarket(b *testing.B, subnets, neurons int) *Ledger {
	g := testGenesis(0)
	g.Params.SubnetLimit = uint16(subnets)
	g.Params.SnapshotInterval = 1 << 40
	key := func(i, j int) Hotkey {
		var h Hotkey
		binary.BigEndian.PutUint32(h[:], uint32(i))
		binary.BigEndian.PutUint32(h[4:], uint32(j))
		h[31] = 1
		return h
	}
	for i := range subnets {
		sn := GenesisSubnet{Owner: Account(key(i, 0)), OwnerHotkey: key(i, 0), Name: "b", Lock: 10_000 * market.RaoPerTAO}
		for j := 1; j < neurons; j++ {
			n := GenesisNeuron{Hotkey: key(i, j), Coldkey: Account(key(i, j))}
			if j < 64 {
				n.Stake = 10 * market.RaoPerTAO
			}
			sn.Neurons = append(sn.Neurons, n)
		}
		g.Subnets = append(g.Subnets, sn)
	}
	st, err := OpenBadger(BadgerOptions(b.TempDir(), nil).WithMemTableSize(256 << 20)) // the genesis is one write
	if err != nil {
		b.Fatal(err)
	}
	l, err := Open(st, g)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	var batch []KV
	for i := range subnets {
		for j := 1; j < 64 && j < neurons; j++ {
			n, _, err := getNeuron(stateView{l.store}, uint16(i+1), uint16(j))
			if err != nil {
				b.Fatal(err)
			}
			var w []yuma.Entry
			for u := range neurons {
				w = append(w, yuma.Entry{UID: uint16(u), Value: uint16(1 + (u*7+j)%1000)})
			}
			n.Weights = packRow(w)
			v, _ := protocols.Marshal(n)
			batch = append(batch, KV{Key: storeKey(neuronKey(uint16(i+1), uint16(j))), Value: v})
		}
	}
	if err := l.store.Write(batch); err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkEpochs128x256 is issue #7's figure: the time to run the epochs
// (yuma and payout, reading and writing the neurons and stakes) of 128
// subnets × 256 neurons in one block. The chain itself runs at most
// MaxEpochsPerBlock (2) per block, so this is a bound far beyond a real
// block's work.
func BenchmarkEpochs128x256(b *testing.B) {
	l := benchMarket(b, 128, 256)
	view, tip, release := l.snapshot() // as a block's execution reads
	defer release()
	subnets, err := listSubnets(view)
	if err != nil {
		b.Fatal(err)
	}
	mp := l.chain.Params.Market()
	hdr := &protocols.Header{Height: tip.Height + 1}
	b.ResetTimer()
	for b.Loop() {
		e := NewExec(view, l.chain, tip)
		e.header, e.state = hdr, 1
		for _, s := range subnets {
			s := *s
			s.PendingServer, s.PendingValidator, s.PendingOwner = 5*market.RaoPerTAO, 5*market.RaoPerTAO, 2*market.RaoPerTAO
			if err := e.epoch(&s, subnetMarket(mp, &s)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/block")
}

// BenchmarkBlockStep128Subnets is one ordinary block's market step over
// 128 subnets × 256 neurons: burn decay, emission and injection into
// every subnet, and the (at most 2) epochs due.
func BenchmarkBlockStep128Subnets(b *testing.B) {
	l := benchMarket(b, 128, 256)
	view, tip, release := l.snapshot()
	defer release()
	for h := uint64(1); b.Loop(); h++ {
		e := NewExec(view, l.chain, tip)
		e.header, e.state = &protocols.Header{Height: h}, 1
		if err := e.blockStep(); err != nil {
			b.Fatal(err)
		}
	}
}
