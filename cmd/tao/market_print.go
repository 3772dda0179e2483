package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
)

// frac formats a u16 epoch output (parts of 65 535) as a fraction with
// four decimals, as btcli does.
func frac(v uint16) string { return fmt.Sprintf("%.4f", float64(v)/65535) }

// shortKey is the first 10 hex digits of a key: enough to tell the keys
// of one metagraph apart (the full key is in --json).
func shortKey(k ledger.Hotkey) string { return k.String()[:10] + "…" }

// price formats a spot price in TAO per alpha.
func price(p ledger.Price) string { return market.Rao(p.Rao).String() }

func printSubnets(w io.Writer, ss []ledger.SubnetInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NETUID\tNAME\tN\tPRICE τ/α\tTAO IN\tALPHA IN\tALPHA OUT\tEMISSION τ/BLOCK\tTEMPO\tNEXT EPOCH\tOWNER HOTKEY")
	for _, s := range ss {
		fmt.Fprintf(tw, "%d\t%s\t%d/%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.NetUID, s.Name, s.N, s.Hyper.MaxUIDs, price(s.Price),
			s.PoolTAO, s.PoolAlpha, s.AlphaOut, s.TAOEmission, s.Hyper.Tempo, s.NextEpoch, shortKey(s.OwnerHotkey))
	}
	fmt.Fprintf(tw, "%d subnets\n", len(ss))
	return tw.Flush()
}

func printSubnet(w io.Writer, s ledger.SubnetInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "subnet\t%d %q\n", s.NetUID, s.Name)
	fmt.Fprintf(tw, "task\t%s\n", s.Task)
	fmt.Fprintf(tw, "model\t%s\n", s.Model)
	fmt.Fprintf(tw, "owner\t%s\n", s.Owner)
	fmt.Fprintf(tw, "owner hotkey\t%s\n", s.OwnerHotkey)
	fmt.Fprintf(tw, "created\tblock %d, lock %s TAO\n", s.Created, s.LockPaid)
	fmt.Fprintf(tw, "neurons\t%d of %d\n", s.N, s.Hyper.MaxUIDs)
	fmt.Fprintf(tw, "price\t%s TAO/alpha (moving %s)\n", price(s.Price), price(s.MovingPrice))
	fmt.Fprintf(tw, "pool\t%s TAO, %s alpha\n", s.PoolTAO, s.PoolAlpha)
	fmt.Fprintf(tw, "alpha out\t%s (protocol %s, unowned %s)\n", s.AlphaOut, s.ProtocolAlpha, s.UnownedAlpha)
	fmt.Fprintf(tw, "emission\t%s TAO and %s alpha in the last block\n", s.TAOEmission, s.AlphaEmission)
	fmt.Fprintf(tw, "registration\t%s TAO burn\n", s.Burn)
	fmt.Fprintf(tw, "epochs\t%d run, last at block %d, next at %d (tempo %d)\n", s.EpochIndex, s.LastEpoch, s.NextEpoch, s.Hyper.Tempo)
	fmt.Fprintf(tw, "pending\tminers %s, validators %s, root %s, owner %s alpha\n", s.Pending[0], s.Pending[1], s.Pending[2], s.Pending[3])
	return tw.Flush()
}

// printParams prints a subnet's settable parameters in the order of
// ledger.SubnetParams, with the values as `tao subnet set` takes them.
func printParams(w io.Writer, s ledger.SubnetInfo) error {
	b, err := json.Marshal(s.Hyper)
	if err != nil {
		return err
	}
	var hyper map[string]json.RawMessage
	if err := json.Unmarshal(b, &hyper); err != nil {
		return err
	}
	text := map[string]string{"name": s.Name, "task": s.Task, "model": s.Model}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "subnet %d hyperparameters (set with `tao subnet set %d PARAM VALUE`)\nPARAMETER\tVALUE\n", s.NetUID, s.NetUID)
	for _, p := range ledger.SubnetParams {
		v, ok := text[p]
		switch {
		case ok:
			v = fmt.Sprintf("%q", v)
		case raoParams[p]:
			var r market.Rao
			_ = json.Unmarshal(hyper[p], &r)
			v = r.String() + " TAO"
		default:
			v = string(hyper[p])
		}
		fmt.Fprintf(tw, "%s\t%s\n", p, v)
	}
	return tw.Flush()
}

// raoParams are the parameters in rao: `tao subnet set` reads them in TAO.
var raoParams = map[string]bool{"min_burn": true, "max_burn": true, "stake_threshold": true}

func printMetagraph(w io.Writer, m *ledger.Metagraph) error {
	s := m.Subnet
	fmt.Fprintf(w, "subnet %d %q at block %d: %d neurons, price %s TAO/alpha, pool %s TAO / %s alpha, epoch %d (next at block %d)\n\n",
		s.NetUID, s.Name, m.Height, s.N, price(s.Price), s.PoolTAO, s.PoolAlpha, s.EpochIndex, s.NextEpoch)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "UID\tHOTKEY\tSTAKE α\tRANK\tTRUST\tCONSENSUS\tINCENTIVE\tDIVIDENDS\tEMISSION α\tVTRUST\tPERMIT\tUPDATED\tACTIVE\t")
	var stake, emission market.Rao
	for _, n := range m.Neurons {
		permit := ""
		if n.Permit {
			permit = "*"
		}
		active := ""
		if n.Active {
			active = "*"
		}
		updated := "-"
		if m.Height >= n.LastUpdate {
			updated = fmt.Sprint(m.Height - n.LastUpdate)
		}
		hk := shortKey(n.Hotkey)
		if n.Hotkey == s.OwnerHotkey {
			hk += " (owner)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n.UID, hk, n.Stake,
			frac(n.Rank), frac(n.Trust), frac(n.Consensus), frac(n.Incentive), frac(n.Dividends), n.Emission,
			frac(n.ValidatorTrust), permit, updated, active)
		stake += n.Stake
		emission += n.Emission
	}
	fmt.Fprintf(tw, "\t\t%s\t\t\t\t\t\t%s\t\t\t\t\t\n", stake, emission)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nUPDATED: blocks since the neuron's last weights (or registration). (owner): the subnet owner's hotkey,")
	fmt.Fprintln(w, "registered at creation; it holds a permit but earns dividends only if it sets weights. Full keys and weights: --json.")
	return nil
}
