package node_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// marketNet drives the market through real nodes: it signs transactions,
// submits them to a node's HTTP API (gossip carries them to the
// proposer) and waits for their commit.
type marketNet struct {
	t      *testing.T
	nw     *taotest.Network
	nonces map[string]uint64
	next   int // node that takes the next submission
}

func (m *marketNet) submit(key ed25519.PrivateKey, body protocols.TxBody) string {
	m.t.Helper()
	k := string(key.Public().(ed25519.PublicKey))
	b := m.nw.SignTx(m.t, key, m.nonces[k], body)
	nd := m.nw.Nodes[m.next%len(m.nw.Nodes)]
	m.next++
	info, err := (&node.Client{BaseURL: nd.HTTPURL()}).SubmitTx(context.Background(), b)
	if err != nil {
		m.t.Fatalf("submit %s: %v", body.TxKind(), err)
	}
	m.nonces[k]++
	return info.ID
}

// commit submits and waits until node 0 has committed the transaction, and
// returns what GET /tx says of it then.
func (m *marketNet) commit(key ed25519.PrivateKey, body protocols.TxBody) node.TxInfo {
	m.t.Helper()
	id := m.submit(key, body)
	var info node.TxInfo
	m.await(fmt.Sprintf("%s committed", body.TxKind()), func() bool {
		var err error
		info, err = (&node.Client{BaseURL: m.nw.Nodes[0].HTTPURL()}).Tx(context.Background(), id)
		return err == nil && info.State == ledger.TxCommitted.String()
	})
	return info
}

func (m *marketNet) await(what string, cond func() bool) {
	m.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			m.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pub(k ed25519.PrivateKey) []byte { return k.Public().(ed25519.PublicKey) }

func seededKey(tag, i byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	seed[0], seed[1] = tag, i
	return ed25519.NewKeyFromSeed(seed)
}

// TestMarketOnLoopback: 4 validators and 2 full nodes; a subnet is
// created, 8 miners and 3 validators register, the validators stake and
// set weights, two tempos pass, and every node holds the same chain (so
// the same metagraph); the miner with the most weight earns the most.
func TestMarketOnLoopback(t *testing.T) {
	const miners, validators = 8, 3
	nw := taotest.NewNetwork(t, 6, &taotest.Options{Validators: 4, Accounts: 1 + miners + validators})
	nw.AwaitHeight(t, 2, time.Minute)
	m := &marketNet{t: t, nw: nw, nonces: map[string]uint64{}}
	owner := nw.Accounts[0]
	created := m.commit(owner, &protocols.CreateSubnet{OwnerHotkey: pub(seededKey(0x0f, 0)), Name: "loopback", Task: "text-generation"})
	// GET /tx reports the committed transaction's events in order, as
	// CometBFT's /tx does: the owner hotkey's registration, then the subnet.
	var kinds []string
	for _, e := range created.Events {
		kinds = append(kinds, e.Type)
	}
	if !slices.Equal(kinds, []string{"register", "create-subnet"}) {
		t.Fatalf("create-subnet events %+v, want register then create-subnet", created.Events)
	}
	if v, ok := created.Events[1].Attr("netuid"); !ok || v != "1" {
		t.Fatalf("create-subnet event netuid %q, %v; want 1", v, ok)
	}
	m.commit(owner, &protocols.SetSubnetParams{NetUID: 1, Param: "commit_reveal", Value: 0})
	// A subnet the chain lacks: the OpenAI endpoint says so, and how to list
	// the chain's subnets, not only how to declare one.
	resp, err := http.Post(nw.Nodes[0].HTTPURL()+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"subnet-9","messages":[{"role":"user","content":"x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "not on this node's chain") || !strings.Contains(string(body), "tao subnet list") {
		t.Fatalf("subnet-9 on a chain node: %d %s", resp.StatusCode, body)
	}

	var hot []ed25519.PrivateKey
	for i := range miners + validators {
		h := seededKey(0x1f, byte(i))
		hot = append(hot, h)
		m.commit(nw.Accounts[1+i], &protocols.Register{NetUID: 1, Hotkey: pub(h)})
	}
	for i := range validators {
		m.submit(nw.Accounts[1+miners+i], &protocols.AddStake{Hotkey: pub(hot[miners+i]), NetUID: 1, Amount: 100 * uint64(market.RaoPerTAO)})
	}
	// Miner uid 1+k gets weight k+1: uid 8 is the best.
	var uids, vals []uint16
	for k := range miners {
		uids, vals = append(uids, uint16(1+k)), append(vals, uint16(k+1))
	}
	for i := range validators {
		m.commit(hot[miners+i], &protocols.SetWeights{NetUID: 1, UIDs: uids, Values: vals})
	}
	l0 := nw.Nodes[0].Ledger()
	start, err := l0.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	m.await("two epochs", func() bool {
		mg, err := l0.Metagraph(1)
		return err == nil && mg.Subnet.EpochIndex >= start.Subnet.EpochIndex+2
	})
	h := l0.Height()
	nw.AwaitHeight(t, h, time.Minute)
	nw.AssertSameChain(t, h)
	for i, nd := range nw.Nodes {
		if err := nd.Ledger().Audit(); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}

	mg, err := l0.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	best := mg.Neurons[miners]
	for _, n := range mg.Neurons[1:miners] {
		if n.Incentive >= best.Incentive || n.Stake >= best.Stake {
			t.Errorf("miner uid %d: incentive %d stake %v, best uid %d: %d %v", n.UID, n.Incentive, n.Stake, best.UID, best.Incentive, best.Stake)
		}
	}
	for _, n := range mg.Neurons[1+miners:] {
		if n.Dividends == 0 {
			t.Errorf("validator uid %d earned no dividends", n.UID)
		}
	}
	if t.Failed() {
		js, _ := json.MarshalIndent(mg, "", " ")
		t.Logf("metagraph: %s", js)
	}
}

// TestValidatorJoinsByStake: a full node's hotkey declares it runs a
// consensus node and receives root stake; at the next tempo boundary it
// joins the validator set with that power, every replica switches, and the
// chain goes on with the new set.
func TestValidatorJoinsByStake(t *testing.T) {
	nw := taotest.NewNetwork(t, 5, &taotest.Options{Validators: 4, Accounts: 2})
	joinedAt := joinValidatorSet(t, nw)
	l0 := nw.Nodes[0].Ledger()
	// The chain keeps committing with the new set (the joiner's 2/7 of the
	// power are needed with any 3 of the others for a 2/3 majority).
	h := joinedAt + 20
	nw.AwaitHeight(t, h, time.Minute)
	nw.AssertSameChain(t, h)
	b, _, err := l0.Block(h)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := l0.Validators()
	vh, _ := vs.Hash()
	if string(b.Header.ValidatorsHash) != string(vh) {
		t.Fatalf("block %d names another validator set", h)
	}
	// Block 1, committed by the four genesis validators, still names its
	// signers and its set after the change: the ledger kept that set by
	// its hash. So does the full node that joined, which committed block 1
	// as a follower.
	b1, _, err := l0.Block(1)
	if err != nil {
		t.Fatal(err)
	}
	if string(b1.Header.ValidatorsHash) == string(vh) {
		t.Fatal("block 1 names the current validator set; the set did not change")
	}
	for _, i := range []int{0, 4} {
		checkKeptSet(t, nw, i, 1, 4)
		checkKeptSet(t, nw, i, h, 5)
	}
	for _, c := range []struct {
		height string
		code   int
	}{{"0", http.StatusNotFound}, {fmt.Sprint(h + 1000), http.StatusNotFound}, {"tip", http.StatusBadRequest}} {
		if code, msg := getError(t, nw.Nodes[0].HTTPURL()+"/validators?height="+c.height); code != c.code {
			t.Errorf("GET /validators?height=%s: status %d, want %d (%s)", c.height, code, c.code, msg)
		}
	}
}

// joinValidatorSet has node 4 (a full node) join the validator set of nw
// (4 genesis validators, 2 funded accounts) by declaring a consensus node
// and receiving root stake, and returns the height at which the ledger's
// set first included it.
func joinValidatorSet(t *testing.T, nw *taotest.Network) uint64 {
	t.Helper()
	nw.AwaitHeight(t, 2, time.Minute)
	m := &marketNet{t: t, nw: nw, nonces: map[string]uint64{}}
	joiner := nw.Key(t, 4)
	m.commit(nw.Accounts[0], &protocols.CreateSubnet{OwnerHotkey: pub(joiner), Name: "v"}) // the faucet owns the hotkey
	m.commit(joiner, &protocols.SetConsensus{Active: true})
	m.commit(nw.Accounts[1], &protocols.AddStake{Hotkey: pub(joiner), NetUID: 0, Amount: 2000 * uint64(market.RaoPerTAO)})
	l0 := nw.Nodes[0].Ledger()
	var joinedAt uint64
	m.await("the joiner in the validator set", func() bool {
		vs, err := l0.Validators()
		if err != nil || len(vs) != 5 {
			return false
		}
		joinedAt = l0.Height()
		return string(vs[0].Hotkey[:]) == string(pub(joiner)) && vs[0].Power == 2000*uint64(market.RaoPerTAO)
	})
	return joinedAt
}
