package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

func TestPresets(t *testing.T) {
	m, d := MainParams(), DevParams()
	for name, p := range map[string]Params{"main": m, "dev": d} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if m.BlockTimeMs != 12_000 || m.Tempo != 360 || m.MaxUIDs != 256 || m.MaxValidatorPermits != 64 ||
		m.SubnetLimit != 128 || m.ImmunityPeriod != 4096 || m.WeightsRateLimit != 100 || !m.CommitReveal || m.MaxValidators != 32 {
		t.Errorf("main preset %+v", m)
	}
	if d.BlockTimeMs != 250 || d.Tempo != 10 || d.ImmunityPeriod != 20 || d.WeightsRateLimit != 1 {
		t.Errorf("dev preset %+v", d)
	}
	bad := MainParams()
	bad.SnapshotInterval = 0
	if err := bad.Validate(); !errors.Is(err, ErrBadParams) || !strings.Contains(err.Error(), "snapshot_interval") {
		t.Errorf("zero snapshot interval: %v", err)
	}
}

func TestGenesisFileRoundTrip(t *testing.T) {
	g := testGenesis(3)
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := g.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadGenesis(path)
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := g.Hash()
	h2, _ := got.Hash()
	if h1 != h2 {
		t.Fatal("genesis hash changed through JSON")
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), acct(1).String()) || !strings.Contains(string(raw), `"tempo": 10`) {
		t.Fatalf("genesis JSON:\n%s", raw)
	}
}

func TestGenesisHashIgnoresMapOrder(t *testing.T) {
	a, b := testGenesis(5), testGenesis(5)
	b.Balances = map[Account]market.Rao{}
	for i := 5; i >= 1; i-- {
		b.Balances[acct(byte(i))] = 1000 * market.RaoPerTAO
	}
	ha, _ := a.Hash()
	hb, _ := b.Hash()
	if ha != hb {
		t.Fatal("hash depends on insertion order")
	}
	b.Balances[acct(1)]++
	if hb, _ = b.Hash(); ha == hb {
		t.Fatal("hash ignores a balance")
	}
}

func TestGenesisRejects(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"unknown-field", `{"chain_id":"dev","tme":1}`, "unknown field"},
		{"bad-chain", `{"chain_id":"Dev"}`, "chain_id"},
		{"no-time", `{"chain_id":"dev","params":{}}`, "time"},
		{"bad-account", `{"chain_id":"dev","time":1,"balances":{"xyz":1}}`, "hex digits"},
		{"trailing", `{"chain_id":"dev"} {}`, "trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGenesis(strings.NewReader(tt.json))
			if !errors.Is(err, ErrBadGenesis) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrBadGenesis mentioning %q", err, tt.want)
			}
		})
	}
	mutations := map[string]func(g *Genesis){
		"zero-balance":    func(g *Genesis) { g.Balances[acct(1)] = 0 },
		"over-cap":        func(g *Genesis) { g.Balances[acct(1)] = market.SupplyCap },
		"no-validators":   func(g *Genesis) { g.Validators = nil },
		"zero-power":      func(g *Genesis) { g.Validators[0].Power = 0 },
		"dup-validator":   func(g *Genesis) { g.Validators = append(g.Validators, g.Validators[0]) },
		"bad-params":      func(g *Genesis) { g.Params.Tempo = 0 },
		"many-validators": func(g *Genesis) { g.Params.MaxValidators = 0 },
		"long-subnet-name": func(g *Genesis) {
			g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: strings.Repeat("n", protocols.MaxSubnetNameLen+1), Lock: g.Params.MinLockCost}}
		},
		"long-subnet-model": func(g *Genesis) {
			g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: "n", Model: strings.Repeat("m", protocols.MaxSubnetTextLen+1), Lock: g.Params.MinLockCost}}
		},
		"subnet-task-not-utf8": func(g *Genesis) {
			g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: "n", Task: "\xff", Lock: g.Params.MinLockCost}}
		},
	}
	for name, f := range mutations {
		g := testGenesis(2)
		f(g)
		if err := g.Validate(); !errors.Is(err, ErrBadGenesis) {
			t.Errorf("%s: got %v, want ErrBadGenesis", name, err)
		}
	}
	if _, err := LoadGenesis(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "load genesis") {
		t.Errorf("missing file: %v", err)
	}
}
