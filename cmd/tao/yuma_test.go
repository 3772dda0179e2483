package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestYumaSimulateVectors runs every public vector's epochs through the CLI
// and checks the exactly-specified fields of the worked cases (the yuma
// package's own tests compare every field within tolerance).
func TestYumaSimulateVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "yuma", "testdata", "yuma_vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Name   string `json:"name"`
			Epochs []struct {
				Input    json.RawMessage `json:"input"`
				Expected struct {
					Incentive []int64 `json:"incentive"`
					Emission  []int64 `json:"emission"`
				} `json:"expected"`
			} `json:"epochs"`
			Tolerance struct {
				U16 int64 `json:"u16"`
				Rao int64 `json:"rao"`
			} `json:"tolerance"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, c := range file.Cases {
		for k, e := range c.Epochs {
			var out, errOut bytes.Buffer
			code := runIO([]string{"yuma", "simulate"}, bytes.NewReader(e.Input), &out, &errOut)
			if code != 0 {
				t.Fatalf("%s epoch %d: exit %d: %s", c.Name, k, code, errOut.String())
			}
			var got struct {
				Incentive []int64 `json:"incentive"`
				Emission  []int64 `json:"emission"`
			}
			dec := json.NewDecoder(&out)
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("%s epoch %d: output: %v", c.Name, k, err)
			}
			if dec.More() {
				t.Fatalf("%s epoch %d: more than one JSON value on stdout", c.Name, k)
			}
			within(t, c.Name+"/incentive", got.Incentive, e.Expected.Incentive, c.Tolerance.U16)
			within(t, c.Name+"/emission", got.Emission, e.Expected.Emission, c.Tolerance.Rao)
		}
	}
}

func within(t *testing.T, what string, got, want []int64, tol int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			t.Fatalf("%s[%d] = %d, want %d ± %d", what, i, got[i], want[i], tol)
		}
	}
}

func TestYumaSimulateMalformed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "in.json")
	os.WriteFile(good, []byte(`{"n":1,"current_block":5,"stake":[10]}`), 0o644)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // prefix of the one stderr line
	}{
		{"not-an-object", nil, `[1]`, "invalid input: (input): "},
		{"two-objects", nil, `{"n":0,"current_block":1,"stake":[]} {}`, "invalid input: (input): "},
		{"missing-n", nil, `{"current_block":1,"stake":[]}`, "invalid input: n: "},
		{"bad-length", nil, `{"n":2,"current_block":1,"stake":[1]}`, "invalid input: stake: "},
		{"unknown-hyper", nil, `{"n":0,"current_block":1,"stake":[],"hyper":{"nope":1}}`, "invalid input: hyper.nope: "},
		{"fraction", nil, `{"n":1,"current_block":1.5,"stake":[1]}`, "invalid input: current_block: "},
		{"unreadable-file", []string{"--file", filepath.Join(dir, "missing.json")}, "", "invalid input: --file: "},
		{"unknown-flag", []string{"--frobnicate"}, "", "unknown flag: --frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runIO(append([]string{"yuma", "simulate"}, tt.args...), strings.NewReader(tt.stdin), &out, &errOut)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, errOut.String())
			}
			if out.Len() != 0 {
				t.Fatalf("stdout not empty: %q", out.String())
			}
			lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], tt.want) {
				t.Fatalf("stderr = %q, want one line starting %q", errOut.String(), tt.want)
			}
		})
	}
	var out, errOut bytes.Buffer
	if code := runIO([]string{"yuma", "simulate", "--file", good}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("--file: exit %d: %s", code, errOut.String())
	}
	if !json.Valid(out.Bytes()) || !strings.HasSuffix(out.String(), "}\n") {
		t.Fatalf("--file output %q", out.String())
	}
}
