package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/ledger"
)

// lazyMinerEngine is a test double of a misbehaving miner: it claims the
// subnet's model (its Info carries that CID, so its heartbeats and
// receipts name it) but answers from a substitute, another synthetic
// model, and stops after half the tokens asked. Real validators must pay
// it nothing.
type lazyMinerEngine struct {
	inference.Engine // the substitute
	claim            cid.Cid
}

func (e lazyMinerEngine) Info() inference.ModelInfo {
	i := e.Engine.Info()
	i.CID = e.claim
	return i
}

func (e lazyMinerEngine) Generate(ctx context.Context, req inference.Request, emit func(inference.Token) error) (inference.Result, error) {
	if req.MaxTokens > 1 {
		req.MaxTokens /= 2
	}
	return e.Engine.Generate(ctx, req, emit)
}

func newLazyMinerEngine(t *testing.T, home string) inference.Engine {
	t.Helper()
	_, claim, err := DefaultModel(home)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultModelPreset
	o.Seed = 2
	path, _, err := inference.Cache{Dir: filepath.Join(home, "models")}.Synth(o)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := inference.OpenBuiltin(path, inference.BuiltinOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return lazyMinerEngine{Engine: eng, claim: claim}
}

// TestValidatorPaysHonestMiner runs a devnet on loopback (two chain
// validators, node 1 also the subnet's validator; an honest and a lazy
// miner) and waits until every node's ledger pays the honest miner and not
// the lazy one, through the validator's verified scores and weights on the
// dev preset: by commit-reveal (the preset's default), and set directly.
func TestValidatorPaysHonestMiner(t *testing.T) {
	for _, commitReveal := range []bool{true, false} {
		t.Run(fmt.Sprintf("commit_reveal=%v", commitReveal), func(t *testing.T) {
			testValidatorPaysHonestMiner(t, commitReveal)
		})
	}
}

func testValidatorPaysHonestMiner(t *testing.T, commitReveal bool) {
	home, dir := t.TempDir(), t.TempDir()
	cfg := DevnetConfig{Validators: 2, Nodes: 2, Miners: 2, Dir: dir, Home: home}
	if !commitReveal {
		// Write the devnet's genesis with commit-reveal off; the devnet
		// started below on the same directory keeps it (and the keys).
		d0 := plannedDevnet(t, cfg)
		d0.genesis.Params.CommitReveal = false
		if err := d0.genesis.Save(filepath.Join(dir, "genesis.json")); err != nil {
			t.Fatal(err)
		}
	}
	d, err := NewDevnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const honest, lazy = 2, 3 // plan entries
	lazyEng := newLazyMinerEngine(t, home)
	d.minerEngine = func(i int) inference.Engine {
		if i == lazy {
			return lazyEng
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// No AwaitReady: the validator needs the miners' heartbeats, not a
	// full mesh, and the wait below covers the network's start.
	begun := time.Now()

	uidOf := func(l *ledger.Ledger, i int) uint16 {
		raw, _ := d.keys[i].GetPublic().(*crypto.Ed25519PublicKey).Raw()
		a, _ := ledger.AccountOf(raw)
		uid, ok, err := l.UID(devnetNetUID, ledger.Hotkey(a))
		if err != nil || !ok {
			t.Fatalf("node %d holds no uid: %v", i, err)
		}
		return uid
	}
	l1 := d.nodes[1].Ledger()
	hu, lu, vu := uidOf(l1, honest), uidOf(l1, lazy), uidOf(l1, 1)
	if mg, err := l1.Metagraph(devnetNetUID); err != nil || mg.Subnet.Hyper.CommitReveal != commitReveal {
		t.Fatalf("subnet 1 commit-reveal is not %v: %v", commitReveal, err)
	}
	paid := func(l *ledger.Ledger) (hi, li uint16, ok bool) {
		mg, err := l.Metagraph(devnetNetUID)
		if err != nil {
			return 0, 0, false
		}
		hi, li = mg.Neurons[hu].Incentive, mg.Neurons[lu].Incentive
		return hi, li, hi >= 60000 && li == 0
	}
	var weightsEpoch uint64 // the epoch index when the validator's weights first landed
	weighted := false
	for {
		mg, err := l1.Metagraph(devnetNetUID)
		if err != nil {
			t.Fatal(err)
		}
		if !weighted && len(mg.Neurons[vu].Weights) > 0 {
			weightsEpoch, weighted = mg.Subnet.EpochIndex, true
			t.Logf("validator weights %v at block %d (epoch %d) after %v", mg.Neurons[vu].Weights, mg.Height, weightsEpoch, time.Since(begun).Round(time.Millisecond))
		}
		all := true
		for _, n := range d.nodes {
			if _, _, ok := paid(n.Ledger()); !ok {
				all = false
			}
		}
		if all {
			hi, li, _ := paid(l1)
			t.Logf("honest uid %d incentive %d, lazy uid %d incentive %d at block %d (epoch %d, %d after the weights), %v after the devnet started",
				hu, hi, lu, li, mg.Height, mg.Subnet.EpochIndex, mg.Subnet.EpochIndex-weightsEpoch, time.Since(begun).Round(time.Millisecond))
			if !weighted || mg.Subnet.EpochIndex > weightsEpoch+2 {
				t.Errorf("incentive followed the weights after %d epochs, want at most 2", mg.Subnet.EpochIndex-weightsEpoch)
			}
			break
		}
		if ctx.Err() != nil {
			js, _ := json.MarshalIndent(mg.Neurons, "", " ")
			t.Fatalf("honest miner not paid over the lazy one in time; metagraph on node 1: %s", js)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The validator's status and metrics saw the lazy miner fail.
	st, ok := d.nodes[1].ValidatorStatus()
	if !ok || st.NetUID != devnetNetUID || st.Rounds == 0 || st.LastWeights.Kind == "" || len(st.Miners) != 2 {
		t.Fatalf("validator status %+v, %v", st, ok)
	}
	if h, l := st.Miners[0], st.Miners[1]; h.UID != hu || l.UID != lu || h.Verified == 0 || h.Failed != 0 || l.Failed+l.NoAnswer == 0 || l.Verified != 0 || h.Score <= l.Score {
		t.Errorf("validator's view: honest %+v, lazy %+v", h, l)
	}
	if _, ok := d.nodes[2].ValidatorStatus(); ok {
		t.Error("a miner node reports a validator role")
	}
	// The same over the API.
	var api ValidatorStatus
	if err := getJSON(d.plan[1].API+"/validator", &api); err != nil || api.Rounds == 0 || len(api.Miners) != 2 {
		t.Errorf("GET /validator: %+v, %v", api, err)
	}
	if err := getJSON(d.plan[2].API+"/validator", &api); err == nil || !strings.Contains(err.Error(), "tao validator --netuid") {
		t.Errorf("GET /validator on a miner: %v, want a 404 that names the fix", err)
	}
	// The lazy miner's failures are in the metrics too. Under load its
	// answers may have timed out (no answer) rather than failed, so give
	// the validator a few more rounds to count one.
	failures := func() float64 {
		mfs, err := d.nodes[1].reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var n float64
		for _, mf := range mfs {
			if mf.GetName() == "tao_validator_verification_failures_total" {
				for _, m := range mf.GetMetric() {
					n += m.GetCounter().GetValue()
				}
			}
		}
		return n
	}
	for deadline := time.Now().Add(20 * time.Second); failures() == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Error("no verification failure counted")
			break
		}
	}
	if commitReveal {
		return
	}
	// The honest miner goes away: once its heartbeats expire, its score
	// decays round by round (no answer) instead of lasting.
	before := st.Miners[0]
	if err := d.nodes[honest].Close(); err != nil {
		t.Fatal(err)
	}
	for {
		st, _ := d.nodes[1].ValidatorStatus()
		if m := st.Miners[0]; m.NoAnswer > 0 && m.Score < before.Score {
			t.Logf("offline miner: score %.3f → %.3f after %d missed answers", before.Score, m.Score, m.NoAnswer)
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("offline miner's score did not decay: %+v, was %+v", st.Miners[0], before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestValidatorRefusesToStart: a validator that could not do its job
// says why and what to do, before it joins anything.
// plannedDevnet returns a devnet of cfg with its nodes' keys planned, its
// model prepared (when it has miners) and its genesis made, not started.
func plannedDevnet(t *testing.T, cfg DevnetConfig) *Devnet {
	t.Helper()
	d, err := NewDevnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(d.planNodes(), d.prepareInference(), d.makeGenesis()); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValidatorRefusesToStart(t *testing.T) {
	home := t.TempDir()
	d := plannedDevnet(t, DevnetConfig{Validators: 2, Nodes: 2, Miners: 1, Dir: t.TempDir(), Home: home})
	stranger, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	start := func(key crypto.PrivKey, genesis *ledger.Genesis, vc ValidatorConfig) error {
		n, err := New(Config{Home: home, DataDir: t.TempDir(), PrivKey: key, Genesis: genesis, HTTPAddr: "off", NoMDNS: true,
			ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Validator: &vc})
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		return n.Start(t.Context())
	}
	for _, tc := range []struct {
		name    string
		key     crypto.PrivKey
		genesis *ledger.Genesis
		vc      ValidatorConfig
		want    string
	}{
		{"ok", d.keys[1], d.genesis, ValidatorConfig{NetUID: 1, Threads: 1}, ""},
		{"no-chain", d.keys[1], nil, ValidatorConfig{NetUID: 1}, "the validator role needs the chain"},
		{"unknown-subnet", d.keys[1], d.genesis, ValidatorConfig{NetUID: 7}, "tao subnet list"},
		{"unregistered", stranger, d.genesis, ValidatorConfig{NetUID: 1}, "register it first (`tao register --netuid 1`)"},
		{"unloadable-model", d.keys[1], d.genesis, ValidatorConfig{NetUID: 1, Model: filepath.Join(home, "missing.gguf")}, "cannot load model"},
		{"other-model", d.keys[1], d.genesis, ValidatorConfig{NetUID: 1, Engine: newLazyMinerEngine(t, home).(lazyMinerEngine).Engine}, "is not subnet 1's model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := start(tc.key, tc.genesis, tc.vc)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("start: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("start: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// getJSON decodes a GET's JSON answer; a status other than 200 is an error
// carrying the body.
func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	return json.Unmarshal(b, v)
}
