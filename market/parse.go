package market

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// ErrBadAmount reports an amount that ParseTAO cannot read.
var ErrBadAmount = errors.New("market: bad amount")

// ParseTAO reads a decimal TAO amount ("1", "0.5", "12.000000001") exactly,
// without floating point: at most 9 decimals (1 rao), no sign, no exponent.
func ParseTAO(s string) (Rao, error) {
	whole, frac, dot := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" && (!dot || frac == "") || len(frac) > 9 {
		return 0, fmt.Errorf("%w %q: write TAO as digits with at most 9 decimals, like 1.5", ErrBadAmount, s)
	}
	var w uint64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w %q: write TAO as digits with at most 9 decimals, like 1.5", ErrBadAmount, s)
		}
		hi, lo := bits.Mul64(w, 10)
		if hi != 0 || lo+uint64(c-'0') < lo {
			return 0, fmt.Errorf("%w %q: too large", ErrBadAmount, s)
		}
		w = lo + uint64(c-'0')
	}
	var f uint64
	for i := range 9 {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%w %q: write TAO as digits with at most 9 decimals, like 1.5", ErrBadAmount, s)
			}
			f += uint64(c - '0')
		}
	}
	hi, lo := bits.Mul64(w, uint64(RaoPerTAO))
	sum, carry := bits.Add64(lo, f, 0)
	if hi != 0 || carry != 0 {
		return 0, fmt.Errorf("%w %q: too large", ErrBadAmount, s)
	}
	return Rao(sum), nil
}
