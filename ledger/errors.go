package ledger

import "errors"

// Rejections of a transaction. Each is wrapped with the specifics and the
// fix ("nonce 5 is stale; the account's next nonce is 7 ..."); test them
// with errors.Is. A rejected transaction changes nothing: no fee is taken
// and the nonce does not advance.
var (
	// ErrBadNonce: the nonce is not the account's next nonce.
	ErrBadNonce = errors.New("ledger: bad nonce")
	// ErrInsufficientFunds: the signer cannot pay the fee plus the amount.
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	// ErrWrongChain: the transaction was signed for another chain.
	ErrWrongChain = errors.New("ledger: transaction is for another chain")
	// ErrBadSignature: the signature does not verify under the signer.
	ErrBadSignature = errors.New("ledger: bad signature")
	// ErrTxTooLarge: the encoded transaction exceeds protocols.MaxTxSize.
	ErrTxTooLarge = errors.New("ledger: transaction too large")
	// ErrFeeTooLow: the fee is below the chain's Params.TxFee.
	ErrFeeTooLow = errors.New("ledger: fee too low")
	// ErrMalformedTx: the transaction is not well formed (unknown kind,
	// bad payload, bad lengths).
	ErrMalformedTx = errors.New("ledger: malformed transaction")
	// ErrOverflow: an amount would exceed 2^64 rao; it means a corrupt
	// state or a bug, since the supply cap is far below.
	ErrOverflow = errors.New("ledger: amount overflow")
)

// Mempool rejections.
var (
	// ErrMempoolFull: the mempool is at its transaction or byte bound.
	ErrMempoolFull = errors.New("ledger: mempool full; retry after the next block")
	// ErrTxKnown: the transaction is already in the mempool.
	ErrTxKnown = errors.New("ledger: transaction already in the mempool")
)

// Block and store errors.
var (
	// ErrInvalidBlock: a block that must not be committed. The wrapped
	// error says which check failed; for gossip it is bad peer data.
	ErrInvalidBlock = errors.New("ledger: invalid block")
	// ErrSchemaVersion: the store was written by a tao with another key
	// schema.
	ErrSchemaVersion = errors.New("ledger: unknown store schema version")
	// ErrGenesisMismatch: the store holds another chain than the genesis
	// given to Open.
	ErrGenesisMismatch = errors.New("ledger: store belongs to another genesis")
	// ErrBadGenesis: a genesis that fails validation.
	ErrBadGenesis = errors.New("ledger: invalid genesis")
	// ErrBadParams: chain parameters out of range.
	ErrBadParams = errors.New("ledger: invalid chain parameters")
	// ErrNotFound: no block, certificate or snapshot at that height.
	ErrNotFound = errors.New("ledger: not found")
	// ErrBadSnapshot: a snapshot whose contents do not match its digest or
	// the trusted header.
	ErrBadSnapshot = errors.New("ledger: snapshot does not verify")
	// ErrCorrupt: a stored record does not decode; the data directory is
	// damaged.
	ErrCorrupt = errors.New("ledger: store is corrupt (restore the data dir from a snapshot or resync)")
)

// Market rejections (subnets, registration, stake, weights). Swap
// rejections wrap market's errors (market.ErrLimitPriceCrossed, ...) and
// test with errors.Is against those.
var (
	// ErrUnknownSubnet: no subnet has that netuid.
	ErrUnknownSubnet = errors.New("ledger: unknown subnet")
	// ErrNotOwner: the signer does not own the subnet or hotkey it acts on.
	ErrNotOwner = errors.New("ledger: signer is not the owner")
	// ErrHotkeyOwned: the hotkey belongs to another coldkey.
	ErrHotkeyOwned = errors.New("ledger: hotkey is owned by another coldkey")
	// ErrUnknownHotkey: the hotkey was never registered.
	ErrUnknownHotkey = errors.New("ledger: unknown hotkey")
	// ErrAlreadyRegistered: the hotkey already holds a uid on the subnet.
	ErrAlreadyRegistered = errors.New("ledger: hotkey already registered on the subnet")
	// ErrNotRegistered: the hotkey holds no uid on the subnet.
	ErrNotRegistered = errors.New("ledger: hotkey not registered on the subnet")
	// ErrDeferred: the block has no room left for the transaction (the
	// subnet's registrations per block); the proposer keeps it in the
	// mempool for a later block. Users never see it.
	ErrDeferred = errors.New("ledger: deferred to a later block")
	// ErrRateLimited: the action is allowed again at a later block.
	ErrRateLimited = errors.New("ledger: rate-limited")
	// ErrPriceAboveMax: the lock cost or burn exceeds the bound the
	// transaction gave.
	ErrPriceAboveMax = errors.New("ledger: price above the transaction's maximum")
	// ErrSubnetFull: every replaceable uid of a full subnet is immune.
	ErrSubnetFull = errors.New("ledger: subnet full")
	// ErrRegistrationClosed: the subnet's owner disabled registration.
	ErrRegistrationClosed = errors.New("ledger: registration closed")
	// ErrBadWeights: weights that name unknown uids, are all zero, too
	// few, or carry an old version key.
	ErrBadWeights = errors.New("ledger: bad weights")
	// ErrCommitReveal: a set-weights on a commit-reveal subnet, or a
	// commit or reveal on a subnet without it.
	ErrCommitReveal = errors.New("ledger: wrong weights mode for the subnet")
	// ErrNoCommit: a reveal without a pending commit.
	ErrNoCommit = errors.New("ledger: no pending weights commit")
	// ErrRevealTooEarly: the commit's reveal period has not passed.
	ErrRevealTooEarly = errors.New("ledger: reveal too early")
	// ErrCommitExpired: the commit was not revealed in time.
	ErrCommitExpired = errors.New("ledger: weights commit expired")
	// ErrBadReveal: the revealed weights, salt or version key do not hash
	// to the commit.
	ErrBadReveal = errors.New("ledger: reveal does not match the commit")
	// ErrStakeTooLow: a stake below the minimum.
	ErrStakeTooLow = errors.New("ledger: stake below the minimum")
	// ErrInsufficientStake: unstaking or moving more than is staked.
	ErrInsufficientStake = errors.New("ledger: insufficient stake")
	// ErrBadEvidence: equivocation evidence that does not verify or names
	// no consensus candidate.
	ErrBadEvidence = errors.New("ledger: bad equivocation evidence")
	// ErrEvidenceKnown: the equivocation was already reported.
	ErrEvidenceKnown = errors.New("ledger: equivocation already reported")
	// ErrJailed: a slashed validator tried to rejoin before its jail ends.
	ErrJailed = errors.New("ledger: validator jailed")
	// ErrBadParam: an unknown hyperparameter or a value out of its bounds.
	ErrBadParam = errors.New("ledger: bad subnet parameter")
)
