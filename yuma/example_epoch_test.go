package yuma_test

import (
	"fmt"
	"strings"

	"github.com/taonet/tao/yuma"
)

// The worked example of spec/yuma.md §6: two validators, two miners, Yuma3.
func ExampleEpoch() {
	in, err := yuma.ReadInput(strings.NewReader(`{"n": 4, "current_block": 1000, "tempo": 360,
		"stake": [3000000000, 1000000000, 0, 0],
		"validator_permit": [true, true, false, false], "last_update": [990, 990, 0, 0],
		"block_at_registration": [0, 0, 100, 100],
		"weights": [[[2, 65535], [3, 21845]], [[3, 65535]], [], []],
		"bonds": [[[2, 32768]], [[3, 65535]], [], []],
		"hyper": {"yuma3": true}, "rao_emission": 1000000000}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("incentive:", out.Incentive)
	fmt.Println("dividends:", out.Dividends)
	fmt.Println("emission:", out.Emission)
	fmt.Println("bonds:", out.Bonds)
	// Output:
	// incentive: [0 0 45370 20164]
	// dividends: [57356 8178 0 0]
	// emission: [437605396 62394603 346153846 153846153]
	// bonds: [[{2 34406} {3 1638}] [{3 60619}] [] []]
}

func ExampleReadInput_malformed() {
	_, err := yuma.ReadInput(strings.NewReader(`{"n": 2, "current_block": 1, "stake": [1, 2], "weights": [[], [[5, 1]]]}`))
	fmt.Println(err)
	// Output:
	// invalid input: weights[1][0][0]: uid 5 must be below n (2)
}
