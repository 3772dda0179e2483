package market

import "testing"

func TestParseTAO(t *testing.T) {
	good := map[string]Rao{
		"1": RaoPerTAO, "0.5": RaoPerTAO / 2, ".5": RaoPerTAO / 2, "1.": RaoPerTAO,
		"12.000000001": 12*RaoPerTAO + 1, "0": 0, "18446744073.709551615": Rao(^uint64(0)),
	}
	for s, want := range good {
		if got, err := ParseTAO(s); err != nil || got != want {
			t.Errorf("ParseTAO(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", ".", "-1", "1e3", "1.0000000001", "abc", "1,5", "18446744073.709551616", "99999999999999999999"} {
		if got, err := ParseTAO(s); err == nil {
			t.Errorf("ParseTAO(%q) = %d, want an error", s, got)
		}
	}
}

func FuzzParseTAO(f *testing.F) {
	f.Add("1.5")
	f.Add("0.000000001")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseTAO(s)
		if err != nil {
			return
		}
		again, err := ParseTAO(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseTAO(%q) = %d, but its String %q parses to %d, %v", s, r, r.String(), again, err)
		}
	})
}
