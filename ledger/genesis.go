package ledger

import (
	"bytes"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// Genesis is a chain's starting point: its ID, its parameters, the first
// balances and the first validator set. Every replica of a chain starts
// from the same Genesis, named by GenesisHash; block 1's PrevHash is it.
type Genesis struct {
	ChainID    string                 `json:"chain_id"`
	Time       int64                  `json:"time"` // unix milliseconds; block 1's time is after it
	Params     Params                 `json:"params"`
	Balances   map[Account]market.Rao `json:"balances"` // coldkey (hex) → rao
	Validators []Validator            `json:"validators"`
	// Subnets are created at genesis, as netuids 1, 2, … in order.
	Subnets []GenesisSubnet `json:"subnets,omitempty"`
}

// GenesisSubnet is a subnet that exists from genesis: its lock is minted
// into its pool, its owner hotkey is uid 0, and its neurons take the next
// uids with their stake bought from the pool without a fee.
type GenesisSubnet struct {
	_           struct{}        `cbor:",toarray"`
	Owner       Account         `json:"owner"`
	OwnerHotkey Hotkey          `json:"owner_hotkey"`
	Name        string          `json:"name"`
	Task        string          `json:"task"`
	Model       string          `json:"model"`
	Lock        market.Rao      `json:"lock"`
	Neurons     []GenesisNeuron `json:"neurons"`
}

// GenesisNeuron is a neuron registered at genesis; Stake TAO is staked on
// the hotkey by its coldkey.
type GenesisNeuron struct {
	_       struct{}   `cbor:",toarray"`
	Hotkey  Hotkey     `json:"hotkey"`
	Coldkey Account    `json:"coldkey"`
	Stake   market.Rao `json:"stake"`
}

// genesisWire is the hashed form: maps become sorted lists.
type genesisWire struct {
	_          struct{} `cbor:",toarray"`
	ChainID    string
	Time       int64
	Params     Params
	Balances   []balanceEntry
	Validators ValidatorSet
	Subnets    []GenesisSubnet
}

type balanceEntry struct {
	_       struct{} `cbor:",toarray"`
	Account Account
	Balance market.Rao
}

// Validate reports the first problem, wrapped in ErrBadGenesis.
func (g *Genesis) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadGenesis, fmt.Sprintf(format, args...))
	}
	if err := protocols.ValidateChainID(g.ChainID); err != nil {
		return bad("chain_id: %v", err)
	}
	if g.Time <= 0 {
		return bad("time %d: give the chain's start as unix milliseconds", g.Time)
	}
	if err := g.Params.Validate(); err != nil {
		return bad("params: %v", err)
	}
	var total market.Rao
	for _, e := range g.sortedBalances() {
		if e.Balance == 0 {
			return bad("balance of %s is 0; remove the entry", e.Account)
		}
		total += e.Balance
		if total < e.Balance || total > market.SupplyCap {
			return bad("balances add up to more than the supply cap of %v TAO", market.SupplyCap)
		}
	}
	if err := ValidatorSet(g.Validators).validate(g.Params.MaxValidators); err != nil {
		return bad("validators: %v", err)
	}
	if len(g.Subnets) > int(g.Params.SubnetLimit) {
		return bad("%d subnets, subnet_limit is %d", len(g.Subnets), g.Params.SubnetLimit)
	}
	for i, sn := range g.Subnets {
		if sn.Lock < g.Params.MinLockCost {
			return bad("subnet %d: lock %v TAO is below min_lock_cost %v TAO", i+1, sn.Lock, g.Params.MinLockCost)
		}
		for _, t := range []struct {
			what, text string
			max        int
		}{{"name", sn.Name, protocols.MaxSubnetNameLen}, {"task", sn.Task, protocols.MaxSubnetTextLen}, {"model", sn.Model, protocols.MaxSubnetTextLen}} {
			if len(t.text) > t.max {
				return bad("subnet %d: %s of %d bytes, limit %d (as a create-subnet transaction's); shorten it", i+1, t.what, len(t.text), t.max)
			}
			if !utf8.ValidString(t.text) {
				return bad("subnet %d: %s is not valid UTF-8", i+1, t.what)
			}
		}
		if len(sn.Neurons)+1 > int(g.Params.MaxUIDs) {
			return bad("subnet %d: %d neurons and the owner, max_uids is %d", i+1, len(sn.Neurons), g.Params.MaxUIDs)
		}
		total += sn.Lock
		for _, n := range sn.Neurons {
			total += n.Stake
		}
		if total > market.SupplyCap {
			return bad("balances, locks and stakes add up to more than the supply cap of %v TAO", market.SupplyCap)
		}
	}
	return nil
}

func (g *Genesis) sortedBalances() []balanceEntry {
	out := make([]balanceEntry, 0, len(g.Balances))
	for a, r := range g.Balances {
		out = append(out, balanceEntry{Account: a, Balance: r})
	}
	slices.SortFunc(out, func(a, b balanceEntry) int { return bytes.Compare(a.Account[:], b.Account[:]) })
	return out
}

// Hash returns the genesis hash: the CID of the canonical encoding of g
// (balances sorted by account, validators in canonical order).
func (g *Genesis) Hash() (cid.Cid, error) {
	vs := slices.Clone(ValidatorSet(g.Validators))
	sortValidators(vs)
	if vs == nil {
		vs = ValidatorSet{}
	}
	b, err := protocols.Marshal(&genesisWire{
		ChainID: g.ChainID, Time: g.Time, Params: g.Params,
		Balances: g.sortedBalances(), Validators: vs, Subnets: g.Subnets,
	})
	if err != nil {
		return cid.Undef, err
	}
	return protocols.CID(b), nil
}

// Chain returns the chain's identity and rules.
func (g *Genesis) Chain() Chain { return Chain{ID: g.ChainID, Params: g.Params} }

// state returns the genesis state as the outcome of "block 0" over the
// empty state, and the tip at height 0.
func (g *Genesis) state() (*Outcome, Tip, error) {
	if err := g.Validate(); err != nil {
		return nil, Tip{}, err
	}
	o := newOverlay(emptyView{})
	var total market.Rao
	for _, e := range g.sortedBalances() {
		total += e.Balance
		if err := putAccount(o, e.Account, accountRecord{Balance: e.Balance}); err != nil {
			return nil, Tip{}, err
		}
	}
	if err := putSupply(o, supplyRecord{Issued: total}); err != nil {
		return nil, Tip{}, err
	}
	if err := putValidators(o, g.Validators); err != nil {
		return nil, Tip{}, err
	}
	if err := genesisCandidates(o, g.Validators); err != nil {
		return nil, Tip{}, err
	}
	if err := g.createSubnets(o); err != nil {
		return nil, Tip{}, err
	}
	id, err := g.Hash()
	if err != nil {
		return nil, Tip{}, err
	}
	out := &Outcome{Height: 0, Writes: o.sorted(nil)}
	if out.WriteSetCID, err = WriteSetCID(out.Writes); err != nil {
		return nil, Tip{}, err
	}
	digest, err := StateDigest(o)
	if err != nil {
		return nil, Tip{}, err
	}
	out.Digest = &digest
	out.Root = ChainRoot(Root{}, out.WriteSetCID, &digest)
	return out, Tip{Height: 0, BlockID: id.Bytes(), Time: g.Time, Root: out.Root}, nil
}

// emptyView is the state before genesis.
type emptyView struct{}

func (emptyView) Get([]byte) ([]byte, error)                    { return nil, nil }
func (emptyView) Iterate([]byte, func(k, v []byte) error) error { return nil }
