package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// TestPrintStatusNoChain: `tao status` on a node started without a genesis
// says it follows no chain and how to change that, instead of height 0 and
// an empty state root; a node with a ledger shows its height and root.
func TestPrintStatusNoChain(t *testing.T) {
	var b bytes.Buffer
	if err := printStatus(&b, node.Status{ChainID: "dev"}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "follows no chain") || !strings.Contains(out, "--genesis") || strings.Contains(out, "state root") {
		t.Fatalf("no-chain status:\n%s", out)
	}
	b.Reset()
	if err := printStatus(&b, node.Status{ChainID: "dev", Height: 7, BlockHash: "bafyblock", StateRoot: "bafyroot"}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "height") || !strings.Contains(out, "7 (block bafyblock)") || strings.Contains(out, "no chain") {
		t.Fatalf("chain status:\n%s", out)
	}
}

// TestPrintMetagraphOwner: the subnet owner's hotkey is marked in the
// metagraph, so its permit without weights or dividends is not mistaken
// for a broken validator.
func TestPrintMetagraphOwner(t *testing.T) {
	var owner, other ledger.Hotkey
	owner[0], other[0] = 1, 2
	m := &ledger.Metagraph{Height: 9, Subnet: ledger.SubnetInfo{NetUID: 1, OwnerHotkey: owner},
		Neurons: []ledger.NeuronInfo{{UID: 0, Hotkey: owner, Permit: true}, {UID: 1, Hotkey: other}}}
	var b bytes.Buffer
	if err := printMetagraph(&b, m); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Count(out, "(owner)") != 2 { // uid 0's row and the legend
		t.Fatalf("metagraph:\n%s", out)
	}
}
