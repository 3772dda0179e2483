package ledger

import (
	"fmt"
	"strconv"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// checkTx runs the stateless checks of tx: shape, size, chain, signature,
// fee floor. They are the same in the mempool and in a block. verify checks
// the signature (protocols.Verify, or a cache that answers as it does).
func checkTx(c Chain, tx *protocols.Tx, verify protocols.VerifyFunc) error {
	sc, err := checkTxShape(c, tx)
	if err != nil {
		return err
	}
	return checkTxRest(c, tx, verify(sc.Pub, sc.ChainID, sc.Kind, sc.Canonical, sc.Sig))
}

// checkTxs is checkTx for each of txs, with the signatures checked
// together by verify (protocols.VerifyBatch, or a cache that answers as it
// does): nil when all pass, else one error per transaction.
func checkTxs(c Chain, txs []protocols.Tx, verify protocols.VerifyBatchFunc) []error {
	errs := make([]error, len(txs))
	checks := make([]protocols.SigCheck, 0, len(txs))
	idx := make([]int, 0, len(txs)) // checks[j] is txs[idx[j]]'s
	for i := range txs {
		sc, err := checkTxShape(c, &txs[i])
		if err != nil {
			errs[i] = err
			continue
		}
		checks = append(checks, sc)
		idx = append(idx, i)
	}
	serrs := verify(checks)
	failed := len(checks) < len(txs)
	for j, i := range idx {
		var serr error
		if serrs != nil {
			serr = serrs[j]
		}
		if errs[i] = checkTxRest(c, &txs[i], serr); errs[i] != nil {
			failed = true
		}
	}
	if !failed {
		return nil
	}
	return errs
}

// malformedTxFix is how ErrMalformedTx's messages tell the sender to make
// a well-formed transaction.
const malformedTxFix = "build it with protocols.NewTx from a valid body of its kind and sign it with Tx.Sign; a client sends protocols.EncodeTx's canonical CBOR (`tao transfer` does all three)"

// checkTxShape is checkTx's checks before the signature; it returns the
// signature check to make.
func checkTxShape(c Chain, tx *protocols.Tx) (protocols.SigCheck, error) {
	if tx.ChainID != c.ID {
		return protocols.SigCheck{}, fmt.Errorf("%w: it was signed for chain %q and this is %q; sign it again with the chain ID %q", ErrWrongChain, tx.ChainID, c.ID, c.ID)
	}
	// The size first, as a decoder would: it bounds the work below.
	if n := tx.Size(); n > protocols.MaxTxSize {
		return protocols.SigCheck{}, fmt.Errorf("%w: %d bytes, limit %d; split it into smaller transactions", ErrTxTooLarge, n, protocols.MaxTxSize)
	}
	if err := tx.Validate(); err != nil {
		return protocols.SigCheck{}, fmt.Errorf("%w: %v; %s", ErrMalformedTx, err, malformedTxFix)
	}
	sc, err := tx.SigCheck(c.ID)
	if err != nil {
		return protocols.SigCheck{}, fmt.Errorf("%w: %v; sign it with the coldkey whose public key is the signer, for chain %q", ErrBadSignature, err, c.ID)
	}
	return sc, nil
}

// checkTxRest is checkTx's checks from the signature on, given the
// signature check's error.
func checkTxRest(c Chain, tx *protocols.Tx, sigErr error) error {
	if sigErr != nil {
		return fmt.Errorf("%w: %v; sign it with the coldkey whose public key is the signer, for chain %q", ErrBadSignature, sigErr, c.ID)
	}
	if fee := market.Rao(tx.Fee); fee < c.Params.TxFee {
		return fmt.Errorf("%w: fee %d rao is below the chain's fee of %d rao; set the fee to at least %d", ErrFeeTooLow, fee, c.Params.TxFee, c.Params.TxFee)
	}
	return nil
}

// txContext is one transaction's execution: its writes go to o, a child of
// the block's overlay that is dropped if the transaction is rejected.
type txContext struct {
	o      *overlay
	chain  Chain
	header *protocols.Header
	tx     *protocols.Tx
	signer Account
	sk     []byte // accountKey(signer), once computed (signerKey)
	events []Event
	// check is set in the mempool's check state, which does not apply
	// per-block limits (registrations per block): a transaction over
	// such a limit waits for a later block instead (ErrDeferred).
	check bool
}

// signerKey returns the signer's account key, computed once per
// transaction: the fee and a transfer read and write it four times.
func (c *txContext) signerKey() []byte {
	if c.sk == nil {
		c.sk = accountKey(c.signer)
	}
	return c.sk
}

// emit records an event. The mempool's check state records none: its
// results are never read (hot emitters skip formatting with !c.check).
func (c *txContext) emit(typ string, kv ...string) {
	if c.check {
		return
	}
	ev := Event{Type: typ}
	if len(kv) >= 2 {
		ev.Attrs = make([]Attr, 0, len(kv)/2) // one allocation; none (nil) without attributes, as before
	}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attrs = append(ev.Attrs, Attr{Key: kv[i], Value: kv[i+1]})
	}
	c.events = append(c.events, ev)
}

// chargeFee checks the nonce, takes and burns the fee and advances the
// nonce: the part every kind shares. The fee is the signer's, or for a
// hotkey-signed kind its owner coldkey's (feePayer).
func (c *txContext) chargeFee() error {
	payer, err := c.feePayer()
	if err != nil {
		return err
	}
	sk := c.signerKey()
	acct, err := getAccountAt(c.o, sk)
	if err != nil {
		return err
	}
	switch {
	case c.tx.Nonce < acct.Nonce:
		return fmt.Errorf("%w: nonce %d is stale; the account's next nonce is %d (query it with `tao balance`)", ErrBadNonce, c.tx.Nonce, acct.Nonce)
	case c.tx.Nonce > acct.Nonce:
		return fmt.Errorf("%w: nonce %d is ahead; the account's next nonce is %d (send the missing transactions first, or query it with `tao balance`)", ErrBadNonce, c.tx.Nonce, acct.Nonce)
	}
	acct.Nonce++
	if err := putAccountAt(c.o, sk, acct); err != nil {
		return err
	}
	pk := sk
	if payer != c.signer {
		pk = accountKey(payer)
	}
	if acct, err = getAccountAt(c.o, pk); err != nil {
		return err
	}
	fee := market.Rao(c.tx.Fee)
	if acct.Balance < fee {
		return fmt.Errorf("%w: balance %v TAO of %s cannot pay the fee of %v TAO; fund the account first", ErrInsufficientFunds, acct.Balance, payer, fee)
	}
	acct.Balance -= fee
	if err := putAccountAt(c.o, pk, acct); err != nil {
		return err
	}
	sup, err := getSupply(c.o)
	if err != nil {
		return err
	}
	if sup.Burned+fee < sup.Burned {
		return ErrOverflow
	}
	sup.Burned += fee
	return putSupply(c.o, sup)
}

// run executes the kind-specific part of the transaction.
func (c *txContext) run(body protocols.TxBody) error {
	switch b := body.(type) {
	case *protocols.Transfer:
		return c.transfer(b)
	case *protocols.CreateSubnet:
		return c.createSubnetTx(b)
	case *protocols.SetSubnetParams:
		return c.setSubnetParamsTx(b)
	case *protocols.Register:
		return c.registerTx(b)
	case *protocols.AddStake:
		return c.addStakeTx(b)
	case *protocols.RemoveStake:
		return c.removeStakeTx(b)
	case *protocols.MoveStake:
		return c.moveStakeTx(b)
	case *protocols.SetTake:
		return c.setTakeTx(b)
	case *protocols.SetWeights:
		return c.setWeightsTx(b)
	case *protocols.CommitWeights:
		return c.commitWeightsTx(b)
	case *protocols.RevealWeights:
		return c.revealWeightsTx(b)
	case *protocols.SetConsensus:
		return c.setConsensusTx(b)
	case *protocols.ReportEquivocation:
		return c.reportEquivocationTx(b)
	default:
		return fmt.Errorf("%w: %s transactions are not executable yet", ErrMalformedTx, body.TxKind())
	}
}

// transfer moves TAO from the signer to the recipient.
func (c *txContext) transfer(t *protocols.Transfer) error {
	to, err := AccountOf(t.To)
	if err != nil {
		return fmt.Errorf("%w: transfer recipient: %v; send to a coldkey address (tao1..., an ed25519 public key)", ErrMalformedTx, err)
	}
	amount := market.Rao(t.Amount)
	sk := c.signerKey()
	from, err := getAccountAt(c.o, sk)
	if err != nil {
		return err
	}
	if from.Balance < amount {
		return fmt.Errorf("%w: balance %v TAO after the fee of %v TAO cannot pay %v TAO; send at most %v TAO",
			ErrInsufficientFunds, from.Balance, market.Rao(c.tx.Fee), amount, from.Balance)
	}
	from.Balance -= amount
	if err := putAccountAt(c.o, sk, from); err != nil {
		return err
	}
	tk := accountKey(to)
	dst, err := getAccountAt(c.o, tk) // after the debit, so a transfer to oneself nets out
	if err != nil {
		return err
	}
	if dst.Balance+amount < dst.Balance {
		return ErrOverflow
	}
	dst.Balance += amount
	if err := putAccountAt(c.o, tk, dst); err != nil {
		return err
	}
	if !c.check {
		c.emit("transfer", "from", c.signer.String(), "to", to.String(), "amount", strconv.FormatUint(uint64(amount), 10))
	}
	return nil
}
