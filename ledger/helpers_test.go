package ledger

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

const testChain = "dev"

// genesisTime is the genesis time of test chains; block h is at
// genesisTime + h·1000.
const genesisTime = 1_700_000_000_000

func key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func acct(seed byte) Account {
	a, _ := AccountOf(key(seed).Public().(ed25519.PublicKey))
	return a
}

func hotkey(seed byte) Hotkey { return Hotkey(acct(seed)) }

// proposerSeed is the hotkey seed of the test chains' only validator.
const proposerSeed = 200

// testGenesis returns a dev chain whose accounts 1..n hold 1000 TAO each,
// with snapshots every 5 blocks.
func testGenesis(n int) *Genesis {
	p := DevParams()
	p.SnapshotInterval = 5
	g := &Genesis{ChainID: testChain, Time: genesisTime, Params: p, Balances: map[Account]market.Rao{}}
	for i := 1; i <= n; i++ {
		g.Balances[acct(byte(i))] = 1000 * market.RaoPerTAO
	}
	g.Validators = []Validator{{Hotkey: hotkey(proposerSeed), Coldkey: acct(proposerSeed), Power: 10}}
	return g
}

func openMem(t testing.TB, g *Genesis) *Ledger {
	t.Helper()
	l, err := Open(NewMemStore(), g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// transfer returns a signed transfer of amount rao from account seed from
// to account seed to, with the default fee.
func transfer(t testing.TB, from byte, nonce uint64, to byte, amount uint64) *protocols.Tx {
	t.Helper()
	dst := acct(to)
	tx, err := protocols.NewTx(testChain, nonce, uint64(DefaultTxFee), &protocols.Transfer{To: dst[:], Amount: amount})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(key(from)); err != nil {
		t.Fatal(err)
	}
	return tx
}

func proposer() []byte { h := hotkey(proposerSeed); return h[:] }

func blockTime(h uint64) int64 { return genesisTime + int64(h)*1000 }

// propose builds the next block of l from its mempool.
func propose(t testing.TB, l *Ledger) *protocols.Block {
	t.Helper()
	h := l.Height() + 1
	b, err := l.ProposeBlock(h, blockTime(h), proposer(), protocols.MaxTxsPerBlock)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// step submits txs to l's mempool (each must be accepted), proposes and
// commits the next block, and returns it.
func step(t testing.TB, l *Ledger, txs ...*protocols.Tx) *protocols.Block {
	t.Helper()
	for _, tx := range txs {
		if err := l.SubmitTx(tx); err != nil {
			t.Fatalf("SubmitTx: %v", err)
		}
	}
	b := propose(t, l)
	if err := l.CommitBlock(b, []byte("cert")); err != nil {
		t.Fatalf("CommitBlock %d: %v", b.Header.Height, err)
	}
	return b
}

// rawBlock returns the next block of l holding txs as given, with a zero
// state root: valid up to execution.
func rawBlock(t testing.TB, l *Ledger, txs ...*protocols.Tx) *protocols.Block {
	t.Helper()
	tip := l.Tip()
	vs, err := l.Validators()
	if err != nil {
		t.Fatal(err)
	}
	vh, _ := vs.Hash()
	b := &protocols.Block{Header: protocols.Header{
		Version: protocols.BlockVersion, ChainID: testChain, Height: tip.Height + 1, Time: blockTime(tip.Height + 1),
		PrevHash: tip.BlockID, StateRoot: make([]byte, 32), ValidatorsHash: vh, Proposer: proposer(),
	}, Txs: []protocols.Tx{}}
	for _, tx := range txs {
		b.Txs = append(b.Txs, *tx)
	}
	th, _ := protocols.TxsHash(b.Txs)
	b.Header.TxsHash = th.Bytes()
	return b
}

func balance(t testing.TB, l *Ledger, seed byte) market.Rao {
	t.Helper()
	r, err := l.Balance(acct(seed))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// totalBalances sums every account in the committed state.
func totalBalances(t testing.TB, l *Ledger) market.Rao {
	t.Helper()
	var sum market.Rao
	err := stateView{l.store}.Iterate([]byte{skAccount}, func(k, v []byte) error {
		var r accountRecord
		if err := decodeRecord(k, v, &r); err != nil {
			return err
		}
		sum += r.Balance
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// checkSupply asserts Σ balances (+ pools and root stake) = issued −
// burned, and the other conservation laws of Audit.
func checkSupply(t testing.TB, l *Ledger) {
	t.Helper()
	if err := l.Audit(); err != nil {
		t.Fatal(err)
	}
	if econ, _ := getEconomy(stateView{l.store}); econ.Subnets > 0 || econ.RootTAO > 0 {
		return
	}
	issued, burned, err := l.Supply()
	if err != nil {
		t.Fatal(err)
	}
	if got := totalBalances(t, l); got != issued-burned {
		t.Fatalf("Σ balances = %v, issued − burned = %v − %v = %v", got, issued, burned, issued-burned)
	}
}
