package main

import "testing"

// TestDefaultRoles: tao miner and tao validator announce (and --help shows)
// their own role by default, not the plain node's "peer".
func TestDefaultRoles(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{{"miner", "miner"}, {"validator", "validator"}, {"node", "peer"}} {
		var f = newNodeCmd
		switch c.cmd {
		case "miner":
			f = newMinerCmd
		case "validator":
			f = newValidatorCmd
		}
		fl := f().Flags().Lookup("role")
		if fl == nil || fl.DefValue != c.want || fl.Value.String() != c.want || fl.Changed {
			t.Errorf("tao %s --role: %+v, want default %q", c.cmd, fl, c.want)
		}
	}
}
