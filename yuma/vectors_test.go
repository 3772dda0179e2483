package yuma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
)

// The public vectors of spec/yuma.md §10, copied unchanged from
// shared/spec/yuma_vectors.json.
const vectorsPath = "testdata/yuma_vectors.json"

type vectorFile struct {
	Meta  json.RawMessage `json:"meta"`
	Cases []vectorCase    `json:"cases"`
}

type vectorCase struct {
	Name         string          `json:"name"`
	Source       string          `json:"source"`
	Description  string          `json:"description"`
	Carry        bool            `json:"carry"`
	Tolerance    tolerance       `json:"tolerance"`
	Epochs       []vectorEpoch   `json:"epochs"`
	ChainAsserts json.RawMessage `json:"chain_asserts"`
}

type tolerance struct {
	U16   int64 `json:"u16"`
	Rao   int64 `json:"rao"`
	Q32   int64 `json:"q32_bits"`
	Bonds int64 `json:"bonds_u16"`
	Bool  int64 `json:"bool"`
}

type vectorEpoch struct {
	Input    json.RawMessage `json:"input"`
	Expected jsonOutput      `json:"expected"`
}

// jsonOutput is the §9 output object as encoding/json decodes it.
type jsonOutput struct {
	Active             []bool             `json:"active"`
	NewValidatorPermit []bool             `json:"new_validator_permit"`
	StakeWeight        []int64            `json:"stake_weight"`
	Consensus          []int64            `json:"consensus"`
	ValidatorTrust     []int64            `json:"validator_trust"`
	Incentive          []int64            `json:"incentive"`
	Dividends          []int64            `json:"dividends"`
	Ranks              []int64            `json:"ranks"`
	Trust              []int64            `json:"trust"`
	PruningScore       []int64            `json:"pruning_score"`
	Emission           []int64            `json:"emission"`
	ServerEmission     []int64            `json:"server_emission"`
	ValidatorEmission  []int64            `json:"validator_emission"`
	Bonds              [][][2]int64       `json:"bonds"`
	Q32                map[string][]int64 `json:"q32"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// encodeDecode writes out with WriteOutput and decodes it strictly, so the
// comparisons below also check the writer.
func encodeDecode(t testing.TB, out Output) jsonOutput {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteOutput(&buf, out); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("}\n")) {
		t.Fatalf("output does not end in a newline")
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	var j jsonOutput
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("decode written output: %v", err)
	}
	return j
}

// compareOutput lists the differences of §10's comparison.
func compareOutput(got, want jsonOutput, tol tolerance) []string {
	var d []string
	bools := func(name string, g, w []bool) {
		if !slices.Equal(g, w) {
			d = append(d, fmt.Sprintf("%s: got %v, want %v", name, g, w))
		}
	}
	ints := func(name string, g, w []int64, tol int64) {
		if len(g) != len(w) {
			d = append(d, fmt.Sprintf("%s: got %d values, want %d", name, len(g), len(w)))
			return
		}
		for i := range g {
			if diff := g[i] - w[i]; diff > tol || diff < -tol {
				d = append(d, fmt.Sprintf("%s[%d]: got %d, want %d (tolerance %d)", name, i, g[i], w[i], tol))
				return
			}
		}
	}
	bools("active", got.Active, want.Active)
	bools("new_validator_permit", got.NewValidatorPermit, want.NewValidatorPermit)
	ints("stake_weight", got.StakeWeight, want.StakeWeight, tol.U16)
	ints("consensus", got.Consensus, want.Consensus, tol.U16)
	ints("validator_trust", got.ValidatorTrust, want.ValidatorTrust, tol.U16)
	ints("incentive", got.Incentive, want.Incentive, tol.U16)
	ints("dividends", got.Dividends, want.Dividends, tol.U16)
	ints("ranks", got.Ranks, want.Ranks, tol.U16)
	ints("trust", got.Trust, want.Trust, tol.U16)
	ints("pruning_score", got.PruningScore, want.PruningScore, tol.U16)
	ints("emission", got.Emission, want.Emission, tol.Rao)
	ints("server_emission", got.ServerEmission, want.ServerEmission, tol.Rao)
	ints("validator_emission", got.ValidatorEmission, want.ValidatorEmission, tol.Rao)
	if len(got.Bonds) != len(want.Bonds) {
		d = append(d, fmt.Sprintf("bonds: got %d rows, want %d", len(got.Bonds), len(want.Bonds)))
	} else {
		for i := range got.Bonds {
			g, w := got.Bonds[i], want.Bonds[i]
			ok := len(g) == len(w)
			for k := 0; ok && k < len(g); k++ {
				diff := g[k][1] - w[k][1]
				ok = g[k][0] == w[k][0] && diff <= tol.Bonds && diff >= -tol.Bonds
			}
			if !ok {
				d = append(d, fmt.Sprintf("bonds[%d]: got %v, want %v", i, g, w))
			}
		}
	}
	keys := make([]string, 0, len(want.Q32))
	for k := range want.Q32 {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ints("q32."+k, got.Q32[k], want.Q32[k], tol.Q32)
	}
	return d
}

// exact reports whether got equals want with zero tolerance.
func exact(got, want jsonOutput) bool { return len(compareOutput(got, want, tolerance{})) == 0 }

func TestVectors(t *testing.T) {
	f := loadVectors(t)
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	var epochs, exactCount int
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for k, ep := range c.Epochs {
				in, err := ReadInput(bytes.NewReader(ep.Input))
				if err != nil {
					t.Fatalf("epoch %d: ReadInput: %v", k, err)
				}
				out, err := Epoch(in)
				if err != nil {
					t.Fatalf("epoch %d: Epoch: %v", k, err)
				}
				got := encodeDecode(t, out)
				epochs++
				if exact(got, ep.Expected) {
					exactCount++
				}
				for _, msg := range compareOutput(got, ep.Expected, c.Tolerance) {
					t.Errorf("epoch %d: %s", k, msg)
				}
			}
		})
	}
	t.Logf("%d cases, %d epochs, %d bit-exact", len(f.Cases), epochs, exactCount)
}

// TestVectorsStateful drives every carried case from its first input,
// feeding this implementation's own bonds and permits forward (§10).
func TestVectorsStateful(t *testing.T) {
	f := loadVectors(t)
	for _, c := range f.Cases {
		if !c.Carry || len(c.Epochs) < 2 {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prev Output
			for k, ep := range c.Epochs {
				in, err := ReadInput(bytes.NewReader(ep.Input))
				if err != nil {
					t.Fatalf("epoch %d: ReadInput: %v", k, err)
				}
				if k > 0 {
					in.Bonds = prev.Bonds
					in.ValidatorPermit = prev.NewValidatorPermit
				}
				out, err := Epoch(in)
				if err != nil {
					t.Fatalf("epoch %d: Epoch: %v", k, err)
				}
				for _, msg := range compareOutput(encodeDecode(t, out), ep.Expected, c.Tolerance) {
					t.Errorf("epoch %d: %s", k, msg)
				}
				prev = out
			}
		})
	}
}
