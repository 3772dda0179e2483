package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printStatus(w io.Writer, st node.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "network\t%s\n", st.ChainID)
	fmt.Fprintf(tw, "peer id\t%s\n", st.PeerID)
	fmt.Fprintf(tw, "roles\t%s\n", strings.Join(st.Roles, ", "))
	fmt.Fprintf(tw, "version\t%s\n", st.Version)
	if st.StateRoot == "" { // fillChainStatus sets it on every node with a ledger
		fmt.Fprintf(tw, "chain\tnone: this node follows no chain (restart it with --genesis FILE to hold the ledger)\n")
	} else {
		fmt.Fprintf(tw, "height\t%d (block %s)\n", st.Height, st.BlockHash)
		fmt.Fprintf(tw, "state root\t%s\n", st.StateRoot)
		fmt.Fprintf(tw, "syncing\t%v\n", st.Syncing)
	}
	if sy := st.Sync; sy.Blocks > 0 || sy.Snapshot > 0 || sy.Active {
		fmt.Fprintf(tw, "sync\t%d blocks by block sync (%.0f blocks/s, target %d), snapshot at %d, %d bad peers\n",
			sy.Blocks, sy.Rate, sy.Target, sy.Snapshot, sy.BadPeers)
	}
	if len(st.Validators) > 0 {
		fmt.Fprintf(tw, "validators\t%d (this node votes: %v)\n", len(st.Validators), st.Validator)
		for _, v := range st.Validators {
			fmt.Fprintf(tw, "\t  %s  %s TAO\n", v.PeerID, market.Rao(v.Power))
		}
	}
	fmt.Fprintf(tw, "peers\t%d connected, %d announced, %d in DHT table\n", st.Peers, st.Announced, st.RoutingTable)
	fmt.Fprintf(tw, "uptime\t%s\n", time.Duration(st.UptimeSec)*time.Second)
	for i, a := range st.Addrs {
		label := ""
		if i == 0 {
			label = "addresses"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, a)
	}
	return tw.Flush()
}

func printPeers(w io.Writer, peers []node.PeerInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER ID\tCONNECTED\tROLES\tHEIGHT\tSCORE\tADDRESS")
	for _, p := range peers {
		roles, height := "-", "-"
		if p.Status != nil {
			roles = strings.Join(p.Status.Roles, ",")
			height = fmt.Sprint(p.Status.Height)
		}
		addr := "-"
		if len(p.Addrs) > 0 {
			addr = p.Addrs[0]
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%.1f\t%s\n", p.PeerID, p.Connected, roles, height, p.Score, addr)
	}
	fmt.Fprintf(tw, "%d peers\n", len(peers))
	return tw.Flush()
}
