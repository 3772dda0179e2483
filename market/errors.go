package market

import "errors"

// Sentinel errors. Callers test them with errors.Is; the messages name the fix, because the ledger
// returns swap and registration rejections to users unchanged (DESIGN §4: "every rejection returns
// a typed error that names the fix").
var (
	// ErrOverflow: a fixed-point or integer result does not fit its type (STYLE §2). With the
	// supply cap (21·10^15 rao) no rule of dtao.md overflows; seeing it means corrupt state.
	ErrOverflow = errors.New("market: fixed-point overflow (an amount exceeds the supply cap; check the ledger state)")

	// ErrDivisionByZero: a division whose rule names no fallback was asked to divide by zero.
	ErrDivisionByZero = errors.New("market: division by zero (an empty pool or zero weight; check the subnet's pool state)")

	// ErrLimitPriceCrossed: a limit-price swap would end beyond the limit (§8.4) and partial
	// fills were not allowed, or the price is already at or beyond the limit.
	ErrLimitPriceCrossed = errors.New("market: swap would move the price past the limit price; raise the limit (lower it for an unstake), swap less, or allow a partial fill")

	// ErrReserveTooLow: the swap would leave the pool's output reserve below the minimum
	// (1 000 000 rao by default, §8.4).
	ErrReserveTooLow = errors.New("market: swap would leave the pool's output reserve below its minimum; swap a smaller amount")

	// ErrInsufficientLiquidity: the net input exceeds 1 000 × the pool's input reserve (§8.4).
	ErrInsufficientLiquidity = errors.New("market: swap input is too large for the pool's liquidity (more than 1000× its reserve); swap a smaller amount")

	// ErrZeroOutput: a stake that would buy no alpha (§8.4), or an unstake that would fetch no
	// TAO (the chain's swap step rejects any swap with a positive input and no output).
	ErrZeroOutput = errors.New("market: amount too small to get anything from the pool (no alpha for a stake, no TAO for an unstake); swap a larger amount")

	// ErrZeroAmount: a swap of nothing.
	ErrZeroAmount = errors.New("market: swap amount is zero; give a positive amount")

	// ErrWeightOutOfBounds: a pool weight outside [0.01, 0.99] (§8.1).
	ErrWeightOutOfBounds = errors.New("market: pool weight outside [0.01, 0.99]; the pool state is corrupt")

	// ErrNoSubnetToPrune: the subnet limit is reached and no subnet is past its immunity period
	// (§10).
	ErrNoSubnetToPrune = errors.New("market: subnet limit reached and every subnet is still immune; wait until one is past its immunity period")

	// ErrNoNeuronToPrune: the subnet is full of immortal (owner) hotkeys (§9).
	ErrNoNeuronToPrune = errors.New("market: no uid can be replaced (all are the owner's immortal hotkeys); the owner must free a uid")

	// ErrBadInput: inputs that break a documented precondition (mismatched slice lengths, sums
	// beyond the amounts they split). The message wrapping it says which.
	ErrBadInput = errors.New("market: invalid input")

	// ErrInvalidParams: Params.Validate failed; the wrapping message names the field.
	ErrInvalidParams = errors.New("market: invalid parameters")
)
