package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

func newSubnetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "subnet",
		Short: "Create subnets, list them, and show or set their hyperparameters",
	}
	c.AddCommand(newSubnetCreateCmd(), newSubnetListCmd(), newSubnetShowCmd(), newSubnetParamsCmd(), newSubnetSetCmd())
	return c
}

func newSubnetCreateCmd() *cobra.Command {
	var (
		o                       txOpts
		hotkey, name, task, mdl string
		maxLock                 string
		yes                     bool
	)
	c := &cobra.Command{
		Use:   "create --hotkey NAME --name NAME",
		Short: "Create a subnet owned by your coldkey, paying the network's lock cost",
		Long: `Create a subnet. Your coldkey pays the lock cost (it doubles with each new
subnet, then falls back over time), which seeds the subnet's pool; the owner
hotkey becomes uid 0. The cost is shown first; --yes skips the question, and
--max-lock refuses a higher cost.`,
		Example: `  tao subnet create --hotkey default --name text --task text-generation
  tao subnet create --hotkey default --name text --max-lock 200 --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			hk, err := o.hotkeyPub(hotkey)
			if err != nil {
				return err
			}
			var bound market.Rao
			if maxLock != "" {
				if bound, err = market.ParseTAO(maxLock); err != nil {
					return usageError(fmt.Errorf("--max-lock: %w", err))
				}
			}
			ctx, cancel := o.context(cmd)
			defer cancel()
			e, err := o.client().Economy(ctx)
			if err != nil {
				return err
			}
			if bound == 0 {
				bound = e.LockCost // what the user agrees to; a cost rising meanwhile is refused
			}
			key, err := o.ask(cmd, yes, func(w io.Writer) {
				fmt.Fprintf(w, "Create subnet %q with owner hotkey %s:\n", name, hk)
				fmt.Fprintf(w, "  lock cost       %s TAO (at most %s), into the new subnet's pool\n", e.LockCost, bound)
				if len(e.Subnets) >= e.SubnetLimit {
					fmt.Fprintf(w, "  the chain holds its limit of %d subnets: this first dissolves the one with the lowest moving\n"+
						"  price past its immunity (its pool's TAO goes to its stakers and owner), or fails if none is\n", e.SubnetLimit)
				}
			}, "Proceed?")
			if err != nil {
				return err
			}
			info, err := o.send(ctx, key, &protocols.CreateSubnet{OwnerHotkey: hk[:], Name: name, Task: task, Model: mdl, MaxLock: uint64(bound)})
			if err != nil {
				return err
			}
			did := fmt.Sprintf("subnet %q submitted", name)
			if netuid, dissolved, ok := subnetCreateEvents(info, e.Subnets); ok {
				did = fmt.Sprintf("created subnet %d %q; see it with `tao subnet show %d`", netuid, name, netuid)
				for _, d := range dissolved {
					did += fmt.Sprintf("\ndissolved subnet %d %q to make room (the chain holds at most %d subnets); its pool's TAO went to its stakers and owner",
						d.NetUID, d.Name, e.SubnetLimit)
				}
			} else if info.State == "committed" { // a node without events in GET /tx: compare the subnet lists
				if ss, err := o.client().Subnets(ctx); err == nil {
					for _, s := range ss {
						if s.OwnerHotkey == hk && s.Created == info.Height {
							did = fmt.Sprintf("created subnet %d %q; see it with `tao subnet show %d`", s.NetUID, name, s.NetUID)
						}
					}
					for _, d := range dissolvedSubnets(e.Subnets, ss) {
						did += fmt.Sprintf("\ndissolved subnet %d %q to make room (the chain holds at most %d subnets); its pool's TAO went to its stakers and owner",
							d.NetUID, d.Name, e.SubnetLimit)
					}
				}
			}
			return o.printTx(cmd.OutOrStdout(), info, did)
		},
	}
	f := c.Flags()
	o.register(f)
	f.StringVar(&hotkey, "hotkey", "default", "owner hotkey: a `NAME` in the wallet, or 64 hex digits or a peer ID")
	f.StringVar(&name, "name", "", "display name")
	f.StringVar(&task, "task", "text-generation", "declared task")
	f.StringVar(&mdl, "model", "", "declared model digest (a CID)")
	f.StringVar(&maxLock, "max-lock", "", "refuse a lock cost above this many `TAO` (default: the cost shown)")
	f.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	_ = c.MarkFlagRequired("name")
	return c
}

// subnetCreateEvents reads a committed create-subnet transaction's events
// (GET /tx): the new subnet's netuid and the subnets of before it dissolved
// to make room. ok is false when the events do not say (not committed, or a
// node that reports no events).
func subnetCreateEvents(info node.TxInfo, before []ledger.SubnetInfo) (netuid uint16, dissolved []ledger.SubnetInfo, ok bool) {
	for _, e := range info.Events {
		v, has := e.Attr("netuid")
		n, err := strconv.ParseUint(v, 10, 16)
		if !has || err != nil {
			continue
		}
		switch e.Type {
		case "create-subnet":
			netuid, ok = uint16(n), true
		case "dissolve-subnet":
			d := ledger.SubnetInfo{NetUID: uint16(n)}
			if i := slices.IndexFunc(before, func(s ledger.SubnetInfo) bool { return s.NetUID == d.NetUID }); i >= 0 {
				d = before[i]
			}
			dissolved = append(dissolved, d)
		}
	}
	return netuid, dissolved, ok
}

// dissolvedSubnets returns the subnets of before that after lacks: a
// netuid gone, or taken by a subnet created later (dtao.md §10: a creation
// beyond the subnet limit dissolves one, and the new subnet may take its
// netuid).
func dissolvedSubnets(before, after []ledger.SubnetInfo) []ledger.SubnetInfo {
	var out []ledger.SubnetInfo
	for _, b := range before {
		if !slices.ContainsFunc(after, func(a ledger.SubnetInfo) bool { return a.NetUID == b.NetUID && a.Created == b.Created }) {
			out = append(out, b)
		}
	}
	return out
}

// readOpts holds the flags of the commands that only read the node.
type readOpts struct {
	api    string
	asJSON bool
}

func (o *readOpts) register(c *cobra.Command) {
	c.Flags().StringVar(&o.api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print JSON")
}

func newSubnetListCmd() *cobra.Command {
	var o readOpts
	c := &cobra.Command{
		Use:   "list",
		Short: "List the subnets (price, pool reserves, emission, epochs) and the chain's totals",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := (&node.Client{BaseURL: o.api}).Economy(cmd.Context())
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), e.Subnets)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "block %d: %s TAO issued, %s TAO per block, %s TAO on root; a new subnet locks %s TAO (%d of %d slots taken)\n\n",
				e.Height, e.Issued, e.BlockEmission, e.RootTAO, e.LockCost, len(e.Subnets), e.SubnetLimit)
			return printSubnets(cmd.OutOrStdout(), e.Subnets)
		},
	}
	o.register(c)
	return c
}

// subnetArg reads a NETUID argument.
func subnetArg(s string) (uint16, error) {
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, usageError(fmt.Errorf("netuid %q is not a subnet number; list subnets with `tao subnet list`", s))
	}
	return uint16(v), nil
}

// fetchSubnet returns one subnet's state (via its metagraph, which
// answers 404 with the fix for an unknown netuid).
func fetchSubnet(cmd *cobra.Command, api, arg string) (ledger.SubnetInfo, error) {
	netuid, err := subnetArg(arg)
	if err != nil {
		return ledger.SubnetInfo{}, err
	}
	m, err := (&txOpts{api: api}).client().Metagraph(cmd.Context(), netuid)
	if err != nil {
		return ledger.SubnetInfo{}, err
	}
	return m.Subnet, nil
}

func newSubnetShowCmd() *cobra.Command {
	var o readOpts
	c := &cobra.Command{
		Use:   "show NETUID",
		Short: "Show a subnet: owner, pool, price, emission, epochs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := fetchSubnet(cmd, o.api, args[0])
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			return printSubnet(cmd.OutOrStdout(), s)
		},
	}
	o.register(c)
	return c
}

func newSubnetParamsCmd() *cobra.Command {
	var o readOpts
	c := &cobra.Command{
		Use:   "params NETUID",
		Short: "Show a subnet's hyperparameters (those `tao subnet set` changes)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := fetchSubnet(cmd, o.api, args[0])
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), struct {
					NetUID uint16             `json:"netuid"`
					Name   string             `json:"name"`
					Task   string             `json:"task"`
					Model  string             `json:"model"`
					Hyper  ledger.SubnetHyper `json:"hyperparameters"`
				}{s.NetUID, s.Name, s.Task, s.Model, s.Hyper})
			}
			return printParams(cmd.OutOrStdout(), s)
		},
	}
	o.register(c)
	return c
}

func newSubnetSetCmd() *cobra.Command {
	var o txOpts
	c := &cobra.Command{
		Use:   "set NETUID PARAM VALUE",
		Short: "Set a hyperparameter of a subnet you own",
		Long: `Set one hyperparameter of a subnet; only the owner's coldkey may. Text
parameters (name, task, model) take the text; switches take true/false (or
1/0); min_burn, max_burn and stake_threshold take TAO; the others whole
numbers. The ledger checks the bounds and says which apply.

Parameters: ` + strings.Join(ledger.SubnetParams, ", "),
		Example: `  tao subnet set 1 tempo 100
  tao subnet set 1 commit_reveal false
  tao subnet set 1 min_burn 0.5`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			netuid, err := subnetArg(args[0])
			if err != nil {
				return err
			}
			param, raw := args[1], args[2]
			tx, err := subnetParamTx(netuid, param, raw)
			if err != nil {
				return usageError(err)
			}
			key, err := o.ask(cmd, true, nil, "")
			if err != nil {
				return err
			}
			ctx, cancel := o.context(cmd)
			defer cancel()
			info, err := o.send(ctx, key, tx)
			if err != nil {
				return err
			}
			return o.printTx(cmd.OutOrStdout(), info, fmt.Sprintf("subnet %d: %s = %s", netuid, param, raw))
		},
	}
	o.register(c.Flags())
	return c
}

// subnetParamTx builds a SetSubnetParams from the command line's value.
func subnetParamTx(netuid uint16, param, raw string) (*protocols.SetSubnetParams, error) {
	if !slices.Contains(ledger.SubnetParams, param) {
		return nil, fmt.Errorf("no parameter %q; settable: %s", param, strings.Join(ledger.SubnetParams, ", "))
	}
	tx := &protocols.SetSubnetParams{NetUID: netuid, Param: param}
	switch {
	case param == "name" || param == "task" || param == "model":
		tx.Text = raw
	case raoParams[param]:
		r, err := market.ParseTAO(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is in TAO: %w", param, err)
		}
		tx.Value = uint64(r)
	default:
		switch strings.ToLower(raw) {
		case "true", "on", "yes":
			tx.Value = 1
		case "false", "off", "no":
			tx.Value = 0
		default:
			v, err := strconv.ParseUint(raw, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s wants a whole number (or true/false), not %q", param, raw)
			}
			tx.Value = v
		}
	}
	return tx, nil
}
