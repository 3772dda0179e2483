package yuma

// divSmall returns t/i for 2 ≤ i ≤ 31. The switch gives the compiler
// constant divisors (a multiply instead of a hardware divide), which makes
// expFixed several times faster; the result is plain integer division.
func divSmall(t, i uint64) uint64 {
	switch i {
	case 2:
		return t / 2
	case 3:
		return t / 3
	case 4:
		return t / 4
	case 5:
		return t / 5
	case 6:
		return t / 6
	case 7:
		return t / 7
	case 8:
		return t / 8
	case 9:
		return t / 9
	case 10:
		return t / 10
	case 11:
		return t / 11
	case 12:
		return t / 12
	case 13:
		return t / 13
	case 14:
		return t / 14
	case 15:
		return t / 15
	case 16:
		return t / 16
	case 17:
		return t / 17
	case 18:
		return t / 18
	case 19:
		return t / 19
	case 20:
		return t / 20
	case 21:
		return t / 21
	case 22:
		return t / 22
	case 23:
		return t / 23
	case 24:
		return t / 24
	case 25:
		return t / 25
	case 26:
		return t / 26
	case 27:
		return t / 27
	case 28:
		return t / 28
	case 29:
		return t / 29
	case 30:
		return t / 30
	case 31:
		return t / 31
	}
	return t / i
}
