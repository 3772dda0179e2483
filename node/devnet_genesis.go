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
	if err := g.Save(path); err != nil {
		return fmt.Errorf("devnet: write genesis: %w", err)
	}
	d.genesis = g
	return nil
}
