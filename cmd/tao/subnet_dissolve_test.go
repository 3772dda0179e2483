package main

import (
	"testing"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// TestDissolvedSubnets: `tao subnet create` names the subnet its creation
// dissolved, found by comparing the subnets before and after: the netuid
// taken by a subnet created later, or gone.
func TestDissolvedSubnets(t *testing.T) {
	before := []ledger.SubnetInfo{{NetUID: 1, Created: 1}, {NetUID: 2, Created: 2, Name: "b"}, {NetUID: 3, Created: 3}}
	for _, c := range []struct {
		name  string
		after []ledger.SubnetInfo
		want  []uint16
	}{
		{"none", append(before[:3:3], ledger.SubnetInfo{NetUID: 4, Created: 90}), nil},
		{"netuid reused", []ledger.SubnetInfo{{NetUID: 1, Created: 1}, {NetUID: 2, Created: 90}, {NetUID: 3, Created: 3}}, []uint16{2}},
		{"netuid gone", []ledger.SubnetInfo{{NetUID: 1, Created: 1}, {NetUID: 3, Created: 3}}, []uint16{2}},
	} {
		got := dissolvedSubnets(before, c.after)
		var ids []uint16
		for _, s := range got {
			ids = append(ids, s.NetUID)
		}
		if len(ids) != len(c.want) || (len(ids) == 1 && ids[0] != c.want[0]) {
			t.Errorf("%s: dissolved %v, want %v", c.name, ids, c.want)
		}
		if len(got) == 1 && got[0].Name != "b" {
			t.Errorf("%s: dissolved %+v", c.name, got[0])
		}
	}
}

// TestSubnetCreateEvents: `tao subnet create` reads the new netuid and the
// subnet it dissolved from the committed transaction's events, naming the
// dissolved one as it was before; without a create-subnet event it says it
// cannot tell (and the command compares subnet lists instead).
func TestSubnetCreateEvents(t *testing.T) {
	before := []ledger.SubnetInfo{{NetUID: 1, Created: 1}, {NetUID: 2, Created: 2, Name: "b"}}
	ev := func(typ string, kv ...string) node.TxEvent {
		e := node.TxEvent{Type: typ}
		for i := 0; i+1 < len(kv); i += 2 {
			e.Attributes = append(e.Attributes, node.TxEventAttr{Key: kv[i], Value: kv[i+1]})
		}
		return e
	}
	info := node.TxInfo{State: "committed", Events: []node.TxEvent{
		ev("dissolve-subnet", "netuid", "2", "tao", "5"),
		ev("register", "netuid", "2", "uid", "0"),
		ev("create-subnet", "netuid", "2", "owner", "x"),
	}}
	netuid, dissolved, ok := subnetCreateEvents(info, before)
	if !ok || netuid != 2 || len(dissolved) != 1 || dissolved[0].NetUID != 2 || dissolved[0].Name != "b" {
		t.Fatalf("events: netuid %d, dissolved %+v, ok %v", netuid, dissolved, ok)
	}
	if _, _, ok := subnetCreateEvents(node.TxInfo{State: "committed"}, before); ok {
		t.Fatal("no events: ok, want the list comparison")
	}
	if _, _, ok := subnetCreateEvents(node.TxInfo{State: "committed", Events: []node.TxEvent{ev("create-subnet", "netuid", "x")}}, before); ok {
		t.Fatal("unreadable netuid: ok")
	}
}
