package main

import (
	"testing"

	"github.com/taonet/tao/ledger"
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
