package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/wallet"
)

const (
	devnetPasswordFile = "password.txt"
	devnetWallet       = "devnet"
	// devnetFaucetTAO is what the faucet coldkey holds at genesis.
	devnetFaucetTAO = 1_000_000
	// devnetStakeTAO is each validator's voting power at genesis.
	devnetStakeTAO = 1_000
	// devnetLockTAO is subnet 1's lock (its pool's TAO at genesis) and
	// devnetSubnetStakeTAO each validator's stake on it.
	devnetLockTAO        = 1_000
	devnetSubnetStakeTAO = 100
)

// makeGenesis creates (or reuses) the devnet's faucet wallet and genesis:
// the dev preset, the first Validators nodes' hotkeys as equal-power
// validators, and the faucet's balance. An existing Dir/genesis.json is
// kept, so a devnet restarted on the same Dir continues its chain.
func (d *Devnet) makeGenesis() error {
	pwFile := filepath.Join(d.cfg.Dir, devnetPasswordFile)
	if _, err := os.Stat(pwFile); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(pwFile, []byte("devnet\n"), 0o600); err != nil {
			return fmt.Errorf("devnet: %w", err)
		}
	}
	store := &wallet.Store{Home: d.cfg.Dir, Password: wallet.PasswordFromFile(pwFile)}
	addr, err := store.ColdkeyPub(devnetWallet)
	if err != nil {
		cold, _, err := store.Create(devnetWallet, wallet.CreateOptions{NoHotkeyPassword: true})
		if err != nil {
			return fmt.Errorf("devnet: create the faucet wallet: %w", err)
		}
		addr = wallet.ColdkeyAddress(cold.Public())
	}
	d.faucet = addr.String()
	path := filepath.Join(d.cfg.Dir, "genesis.json")
	if g, err := ledger.LoadGenesis(path); err == nil {
		d.genesis = g
		return nil
	}
	faucet, err := ledger.AccountOf(addr.PublicKey())
	if err != nil {
		return err
	}
	g := &ledger.Genesis{
		ChainID:  d.cfg.Network,
		Time:     time.Now().UnixMilli(),
		Params:   ledger.DevParams(),
		Balances: map[ledger.Account]market.Rao{faucet: devnetFaucetTAO * market.RaoPerTAO},
	}
	for i := range d.cfg.Validators {
		raw, err := d.keys[i].GetPublic().(*crypto.Ed25519PublicKey).Raw()
		if err != nil {
			return err
		}
		hk, err := ledger.AccountOf(raw)
		if err != nil {
			return err
		}
		g.Validators = append(g.Validators, ledger.Validator{Hotkey: ledger.Hotkey(hk), Coldkey: faucet, Power: devnetStakeTAO * uint64(market.RaoPerTAO)})
	}
	sn, err := d.genesisSubnet(faucet)
	if err != nil {
		return err
	}
	g.Subnets = []ledger.GenesisSubnet{sn}
	if err := g.Save(path); err != nil {
		return fmt.Errorf("devnet: write genesis: %w", err)
	}
	d.genesis = g
	return nil
}

// genesisSubnet returns subnet 1 of the devnet: owned by the faucet, the
// validator nodes' hotkeys registered and staked by the faucet (validator
// 0's is the owner hotkey, uid 0), and every miner node's hotkey
// registered with the node's own key as its coldkey, so that the miners'
// incentive is theirs (the owner's own hotkeys' incentive is burned,
// spec/dtao.md §7).
func (d *Devnet) genesisSubnet(faucet ledger.Account) (ledger.GenesisSubnet, error) {
	sn := ledger.GenesisSubnet{Owner: faucet, Name: "devnet", Task: "text-generation", Model: d.infer.modelCID,
		Lock: devnetLockTAO * market.RaoPerTAO}
	for i := range d.plan {
		raw, err := d.keys[i].GetPublic().(*crypto.Ed25519PublicKey).Raw()
		if err != nil {
			return sn, err
		}
		a, err := ledger.AccountOf(raw)
		if err != nil {
			return sn, err
		}
		switch {
		case i == 0:
			sn.OwnerHotkey = ledger.Hotkey(a)
		case i < d.cfg.Validators:
			sn.Neurons = append(sn.Neurons, ledger.GenesisNeuron{Hotkey: ledger.Hotkey(a), Coldkey: faucet, Stake: devnetSubnetStakeTAO * market.RaoPerTAO})
		case d.isMiner(i):
			sn.Neurons = append(sn.Neurons, ledger.GenesisNeuron{Hotkey: ledger.Hotkey(a), Coldkey: a})
		}
	}
	return sn, nil
}
