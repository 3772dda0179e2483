package ledger

import (
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// FuzzMarketConservation runs random sequences of market transactions
// and blocks (decoded from the input, 4 bytes an operation) and checks
// after every block that no TAO or alpha appeared or vanished outside the
// spec's mint and burn points (Audit), that issuance never passes the cap,
// and that a rejected transaction changes nothing.
func FuzzMarketConservation(f *testing.F) {
	// create subnet 1 (owner hotkey 101), register 102 and 103, stake on
	// them, weights, blocks, unstake, move, root stake.
	f.Add([]byte{1, 0, 0, 0, 8, 0, 0, 1, 9, 0, 0, 0, 2, 1, 1, 0, 9, 0, 0, 0, 2, 2, 2, 0, 9, 0, 0, 0,
		3, 3, 1, 40, 3, 4, 2, 41, 6, 0, 1, 9, 9, 0, 0, 0, 9, 0, 0, 0, 4, 3, 1, 200,
		5, 4, 2, 129, 3, 5, 129, 90, 8, 0, 0, 4, 9, 0, 0, 0})
	// two subnets, stake across them, take, params.
	f.Add([]byte{1, 0, 0, 0, 8, 0, 0, 1, 1, 1, 9, 0, 9, 0, 0, 0, 2, 2, 2, 0, 2, 3, 11, 0, 9, 0, 0, 0,
		3, 5, 2, 99, 3, 6, 11, 99, 5, 5, 2, 9, 7, 2, 2, 100, 8, 1, 9, 1, 6, 2, 2, 3, 9, 0, 0, 0})
	f.Add([]byte{3, 1, 0, 50, 1, 2, 2, 0, 3, 1, 0, 50, 5, 1, 0, 255, 4, 1, 0, 255, 8, 1, 1, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4*64 {
			ops = ops[:4*64]
		}
		g := testGenesis(8)
		g.Params.MinLockCost = 10 * market.RaoPerTAO
		l := openMem(t, g)
		s := newSigner(t)
		for i := 0; i+4 <= len(ops); i += 4 {
			op, a, b, x := ops[i]%10, 1+ops[i+1]%8, ops[i+2], ops[i+3]
			netuid := uint16(b/8%2 + 1) // subnets 1 and 2; the root subnet is netuid 0 below
			if b >= 128 {
				netuid = 0
			}
			h := hk(101 + b%8)
			amount := (uint64(x) + 1) * uint64(market.RaoPerTAO) / 4
			var body protocols.TxBody
			switch op {
			case 0:
				body = &protocols.Transfer{To: hk(1 + b%8), Amount: amount}
			case 1:
				body = &protocols.CreateSubnet{OwnerHotkey: h, Name: "f"}
			case 2:
				body = &protocols.Register{NetUID: netuid, Hotkey: h}
			case 3:
				body = &protocols.AddStake{Hotkey: h, NetUID: netuid, Amount: amount, Partial: x%2 == 0}
				if x%3 == 0 {
					body.(*protocols.AddStake).LimitPrice = uint64(x) * 1e8
				}
			case 4:
				st, _ := stakeOf(stateView{l.store}, Hotkey(h), netuid, acct(a))
				body = &protocols.RemoveStake{Hotkey: h, NetUID: netuid, Amount: max(1, uint64(st)*uint64(x)/255)}
			case 5:
				st, _ := stakeOf(stateView{l.store}, Hotkey(h), netuid, acct(a))
				body = &protocols.MoveStake{FromHotkey: h, FromNetUID: netuid, ToHotkey: hk(101 + x%8), ToNetUID: uint16(x % 3), Amount: max(1, uint64(st)/2)}
			case 6:
				body = &protocols.SetWeights{NetUID: netuid, UIDs: []uint16{0, uint16(1 + x%4)}, Values: []uint16{uint16(b), uint16(x)}}
				a = 101 + b%8 // signed by the hotkey
			case 7:
				body = &protocols.SetTake{Hotkey: h, Take: uint16(x) * 40}
			case 8:
				body = &protocols.SetSubnetParams{NetUID: netuid, Param: []string{"tempo", "commit_reveal", "max_uids", "registration_allowed"}[x%4], Value: uint64(b % 4)}
			}
			if body != nil {
				root := l.StateRoot()
				tx := s.tx(a, body)
				if err := l.SubmitTx(tx); err == nil {
					s.nonces[a]++
				} else if l.StateRoot() != root {
					t.Fatalf("rejected %s changed the state", tx.Kind)
				}
			}
			if op == 9 || i%8 == 4 {
				step(t, l)
				audited(t, l)
			}
		}
		for range 12 {
			step(t, l)
			audited(t, l)
		}
	})
}

func audited(t *testing.T, l *Ledger) {
	t.Helper()
	if err := l.Audit(); err != nil {
		t.Fatalf("height %d: %v", l.Height(), err)
	}
	if issued, _, _ := l.Supply(); issued > market.SupplyCap {
		t.Fatalf("issuance %v beyond the cap", issued)
	}
}
