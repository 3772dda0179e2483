package ledger

import (
	"errors"
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// signedByHotkey reports whether a kind is signed by a hotkey (the
// weights transactions and set-consensus) rather than a coldkey. Its fee is paid by the
// hotkey's owner coldkey; its nonce is the hotkey's own.
func signedByHotkey(k protocols.TxKind) bool {
	return k == protocols.TxSetWeights || k == protocols.TxCommitWeights || k == protocols.TxRevealWeights ||
		k == protocols.TxSetConsensus
}

// feePayer returns the account that pays tx's fee: the signer, or for a
// hotkey-signed kind the hotkey's owner coldkey.
func (c *txContext) feePayer() (Account, error) {
	if c.tx.Kind == protocols.TxReportEquivocation {
		// A validator node reports with its hotkey; anyone else pays.
		if r, ok, err := getHotkey(c.o, Hotkey(c.signer)); err != nil || ok {
			return r.Owner, err
		}
		return c.signer, nil
	}
	if !signedByHotkey(c.tx.Kind) {
		return c.signer, nil
	}
	r, ok, err := getHotkey(c.o, Hotkey(c.signer))
	if err != nil {
		return Account{}, err
	}
	if !ok {
		return Account{}, fmt.Errorf("%w: hotkey %s signed a %s but was never registered; register it on the subnet first (`tao register`)",
			ErrUnknownHotkey, Hotkey(c.signer), c.tx.Kind)
	}
	return r.Owner, nil
}

func (c *txContext) market() market.Params { return c.chain.Params.Market() }

func (c *txContext) height() uint64 { return c.header.Height }

// subnet loads a subnet or fails with ErrUnknownSubnet.
func (c *txContext) subnet(netuid uint16) (*subnetRecord, error) {
	s, ok, err := getSubnet(c.o, netuid)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no subnet %d; list them with `tao subnet list`", ErrUnknownSubnet, netuid)
	}
	return s, nil
}

// debit takes amount from the signer's balance.
func (c *txContext) debit(a Account, amount market.Rao, what string) error {
	acct, err := getAccount(c.o, a)
	if err != nil {
		return err
	}
	if acct.Balance < amount {
		return fmt.Errorf("%w: %s needs %v TAO and the balance after the fee is %v TAO; fund the account first",
			ErrInsufficientFunds, what, amount, acct.Balance)
	}
	acct.Balance -= amount
	return putAccount(c.o, a, acct)
}

// credit adds amount to a balance.
func credit(o *overlay, a Account, amount market.Rao) error {
	if amount == 0 {
		return nil
	}
	acct, err := getAccount(o, a)
	if err != nil {
		return err
	}
	if acct.Balance+amount < acct.Balance {
		return ErrOverflow
	}
	acct.Balance += amount
	return putAccount(o, a, acct)
}

// payAuthor credits the block author's coldkey with swap fees (dtao.md
// §8.2). Without a known author (the mempool's check state) the fee is
// burned, which the checks do not observe.
func (c *txContext) payAuthor(amount market.Rao) error {
	if amount == 0 {
		return nil
	}
	vs, err := getValidators(c.o)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if string(v.Hotkey[:]) == string(c.header.Proposer) {
			return credit(c.o, v.Coldkey, amount)
		}
	}
	sup, err := getSupply(c.o)
	if err != nil {
		return err
	}
	sup.Burned += amount
	return putSupply(c.o, sup)
}

// claimHotkey makes the signer the owner of h if it has none; it fails if
// another coldkey owns h.
func (c *txContext) claimHotkey(h Hotkey) error {
	r, ok, err := getHotkey(c.o, h)
	if err != nil {
		return err
	}
	if ok {
		if r.Owner != c.signer {
			return fmt.Errorf("%w: hotkey %s belongs to coldkey %s; use a hotkey of your own (`tao wallet new-hotkey`)", ErrHotkeyOwned, h, r.Owner)
		}
		return nil
	}
	return putRecord(c.o, hotkeyKey(h), &hotkeyRecord{Owner: c.signer, Take: c.market().DefaultTake})
}

// marketErr wraps a market rejection so it keeps its sentinel (and its
// fix) for errors.Is.
func marketErr(what string, err error) error { return fmt.Errorf("%s: %w", what, err) }

// priceLimit converts a price in rao of TAO per alpha (10^9 = 1.0).
func priceLimit(p uint64, partial bool) (market.Limit, error) {
	if p == 0 {
		return market.Limit{Partial: partial}, nil
	}
	lp, err := market.U64F64FromRatio(p, uint64(market.RaoPerTAO))
	return market.Limit{Price: lp, Partial: partial}, err
}

// addStakeTx stakes TAO on a hotkey: a buy of the subnet's alpha, or TAO
// itself on the root subnet.
func (c *txContext) addStakeTx(t *protocols.AddStake) error {
	lim, err := priceLimit(t.LimitPrice, t.Partial)
	if err != nil {
		return err
	}
	_, err = c.stake(Hotkey(t.Hotkey), t.NetUID, market.Rao(t.Amount), lim)
	return err
}

// stake buys alpha of netuid with amount TAO of the signer's balance and
// stakes it on h; it returns the alpha staked.
func (c *txContext) stake(h Hotkey, netuid uint16, amount market.Rao, lim market.Limit) (market.Rao, error) {
	mp := c.market()
	if amount < mp.MinStake {
		return 0, fmt.Errorf("%w: %v TAO, the minimum is %v TAO; stake more", ErrStakeTooLow, amount, mp.MinStake)
	}
	if _, ok, err := getHotkey(c.o, h); err != nil {
		return 0, err
	} else if !ok {
		return 0, fmt.Errorf("%w: hotkey %s is not registered on any subnet; stake to a registered hotkey (see `tao metagraph`)", ErrUnknownHotkey, h)
	}
	if netuid == 0 {
		return amount, c.stakeRoot(h, amount)
	}
	s, err := c.subnet(netuid)
	if err != nil {
		return 0, err
	}
	sw, err := s.pool().Buy(mp, amount, lim)
	if err != nil {
		return 0, marketErr(fmt.Sprintf("stake %v TAO on subnet %d", amount, netuid), err)
	}
	if err := c.debit(c.signer, amount-sw.Refund, "the stake"); err != nil {
		return 0, err
	}
	s.setPool(sw.Pool)
	s.AlphaOut += sw.Out
	if err := putSubnet(c.o, s); err != nil {
		return 0, err
	}
	if err := addStake(c.o, h, netuid, c.signer, sw.Out); err != nil {
		return 0, err
	}
	if err := c.payAuthor(sw.AuthorTAO); err != nil {
		return 0, err
	}
	c.emit("stake", "coldkey", c.signer.String(), "hotkey", h.String(), "netuid", fmt.Sprint(netuid),
		"tao", fmt.Sprint(uint64(amount-sw.Refund)), "alpha", fmt.Sprint(uint64(sw.Out)), "fee", fmt.Sprint(uint64(sw.Fee)))
	return sw.Out, nil
}

func (c *txContext) stakeRoot(h Hotkey, amount market.Rao) error {
	if err := c.debit(c.signer, amount, "the stake"); err != nil {
		return err
	}
	if err := c.addRootTAO(amount, true); err != nil {
		return err
	}
	if err := addStake(c.o, h, 0, c.signer, amount); err != nil {
		return err
	}
	c.emit("stake", "coldkey", c.signer.String(), "hotkey", h.String(), "netuid", "0", "tao", fmt.Sprint(uint64(amount)))
	return nil
}

// addRootTAO adds (or subtracts) TAO staked on the root subnet.
func (c *txContext) addRootTAO(amount market.Rao, add bool) error {
	econ, err := getEconomy(c.o)
	if err != nil {
		return err
	}
	if add {
		econ.RootTAO += amount
	} else {
		econ.RootTAO -= min(econ.RootTAO, amount)
	}
	return putRecord(c.o, economyKey, &econ)
}

// removeStakeTx unstakes alpha for TAO.
func (c *txContext) removeStakeTx(t *protocols.RemoveStake) error {
	lim, err := priceLimit(t.LimitPrice, t.Partial)
	if err != nil {
		return err
	}
	_, err = c.unstake(Hotkey(t.Hotkey), t.NetUID, market.Rao(t.Amount), lim)
	return err
}

// unstake sells amount of the signer's alpha on h in netuid and credits
// the TAO; it returns the TAO credited.
func (c *txContext) unstake(h Hotkey, netuid uint16, amount market.Rao, lim market.Limit) (market.Rao, error) {
	if netuid == 0 {
		if err := removeStake(c.o, h, 0, c.signer, amount); err != nil {
			return 0, err
		}
		if err := c.addRootTAO(amount, false); err != nil {
			return 0, err
		}
		c.emit("unstake", "coldkey", c.signer.String(), "hotkey", h.String(), "netuid", "0", "tao", fmt.Sprint(uint64(amount)))
		return amount, credit(c.o, c.signer, amount)
	}
	s, err := c.subnet(netuid)
	if err != nil {
		return 0, err
	}
	have, err := stakeOf(c.o, h, netuid, c.signer)
	if err != nil {
		return 0, err
	}
	if amount > have {
		return 0, fmt.Errorf("%w: %v alpha staked on hotkey %s in subnet %d, asked for %v; unstake at most %v",
			ErrInsufficientStake, have, h, netuid, amount, have)
	}
	sw, err := s.pool().Sell(c.market(), amount, lim)
	if errors.Is(err, market.ErrZeroOutput) {
		return 0, dustError(s, h, amount, have)
	}
	if err != nil {
		return 0, marketErr(fmt.Sprintf("unstake %v alpha from subnet %d", amount, netuid), err)
	}
	sold := amount - sw.Refund
	if err := removeStake(c.o, h, netuid, c.signer, sold); err != nil {
		return 0, err
	}
	s.setPool(sw.Pool)
	s.AlphaOut -= min(s.AlphaOut, sold)
	if err := putSubnet(c.o, s); err != nil {
		return 0, err
	}
	if err := credit(c.o, c.signer, sw.Out); err != nil {
		return 0, err
	}
	if err := c.payAuthor(sw.AuthorTAO); err != nil {
		return 0, err
	}
	c.emit("unstake", "coldkey", c.signer.String(), "hotkey", h.String(), "netuid", fmt.Sprint(netuid),
		"alpha", fmt.Sprint(uint64(sold)), "tao", fmt.Sprint(uint64(sw.Out)), "fee", fmt.Sprint(uint64(sw.Fee)))
	return sw.Out, nil
}

// zeroOutputError is an unstake refused because the alpha sold would
// fetch no TAO (market.ErrZeroOutput, as the chain's swap step refuses
// it), with the way out that fits the signer's stake: "swap a larger
// amount" cannot be followed when the amount is already all of it.
type zeroOutputError struct{ msg string }

func (e *zeroOutputError) Error() string { return e.msg }
func (e *zeroOutputError) Unwrap() error { return market.ErrZeroOutput }

// dustError explains an unstake of amount (of have staked on h in s)
// whose sale pays out no TAO. (A partial fill whose limit leaves a few
// rao to sell gets here too, only in a pool of a few alpha.)
func dustError(s *subnetRecord, h Hotkey, amount, have market.Rao) error {
	head := fmt.Sprintf("unstake %v alpha from subnet %d: at the pool's price it fetches less than 1 rao of TAO, and a swap must pay out something", amount, s.NetUID)
	fix := fmt.Sprintf("it is the whole stake on hotkey %s: leave it staked (it keeps its share of the hotkey's dividends and can be unstaked once it is worth a rao), or stake more on the same hotkey and unstake it all together", h)
	if amount < have {
		fix = fmt.Sprintf("unstake more at once (%v alpha staked on hotkey %s)", have, h)
	}
	return &zeroOutputError{msg: head + "; " + fix}
}

// moveStakeTx moves stake between hotkeys and subnets: without a swap
// within one subnet, else a sell on one pool and a buy on the other.
func (c *txContext) moveStakeTx(t *protocols.MoveStake) error {
	from, to := Hotkey(t.FromHotkey), Hotkey(t.ToHotkey)
	amount := market.Rao(t.Amount)
	if _, ok, err := getHotkey(c.o, to); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: destination hotkey %s is not registered on any subnet", ErrUnknownHotkey, to)
	}
	if t.FromNetUID == t.ToNetUID {
		if t.FromNetUID != 0 {
			if _, err := c.subnet(t.FromNetUID); err != nil {
				return err
			}
		}
		if err := removeStake(c.o, from, t.FromNetUID, c.signer, amount); err != nil {
			return err
		}
		c.emit("move-stake", "from", from.String(), "to", to.String(), "netuid", fmt.Sprint(t.FromNetUID), "amount", fmt.Sprint(uint64(amount)))
		return addStake(c.o, to, t.ToNetUID, c.signer, amount)
	}
	// Across subnets: unstake to TAO, then stake that TAO, in one
	// transaction (a failure of either undoes both).
	tao, err := c.unstake(from, t.FromNetUID, amount, market.Limit{})
	if err != nil {
		return err
	}
	got, err := c.stake(to, t.ToNetUID, tao, market.Limit{})
	if err != nil {
		return err
	}
	if t.LimitPrice != 0 {
		if r, ok := mulDiv(uint64(got), uint64(market.RaoPerTAO), uint64(amount)); !ok || r < t.LimitPrice {
			return fmt.Errorf("move of %v alpha gives %v: %w", amount, got, market.ErrLimitPriceCrossed)
		}
	}
	return nil
}

// setTakeTx sets a hotkey's delegate take.
func (c *txContext) setTakeTx(t *protocols.SetTake) error {
	h := Hotkey(t.Hotkey)
	r, ok, err := getHotkey(c.o, h)
	if err != nil {
		return err
	}
	if !ok || r.Owner != c.signer {
		return fmt.Errorf("%w: hotkey %s is not owned by the signer; sign with its owner coldkey", ErrNotOwner, h)
	}
	if top := c.market().MaxTake; t.Take > top {
		return fmt.Errorf("%w: take %d/65535 is above the maximum %d/65535 (about %d.%02d%%)", ErrBadParam, t.Take, top, uint64(top)*100/65535, uint64(top)*10000/65535%100)
	}
	r.Take = t.Take
	c.emit("set-take", "hotkey", h.String(), "take", fmt.Sprint(t.Take))
	return putRecord(c.o, hotkeyKey(h), &r)
}
