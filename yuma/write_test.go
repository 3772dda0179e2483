package yuma

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestWriteOutputEmpty: with n = 0 every array is [] (never null) and q32 is
// present with all nine keys (§9).
func TestWriteOutputEmpty(t *testing.T) {
	out, err := Epoch(Input{Stake: []uint64{}, Hyper: DefaultHyper()})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Output{out, {}} {
		var buf bytes.Buffer
		if err := WriteOutput(&buf, o); err != nil {
			t.Fatal(err)
		}
		s := buf.String()
		if strings.Contains(s, "null") || !strings.HasSuffix(s, "}\n") || strings.Count(s, "\n") != 1 {
			t.Errorf("output %q", s)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if len(m) != 15 {
			t.Errorf("%d fields, want 15: %s", len(m), s)
		}
		var q map[string][]int64
		if err := json.Unmarshal(m["q32"], &q); err != nil || len(q) != 9 {
			t.Errorf("q32 = %s (%v)", m["q32"], err)
		}
	}
}

// TestWriteOutputFields checks the exact field set against the §9 list.
func TestWriteOutputFields(t *testing.T) {
	in, err := ReadInput(strings.NewReader(workedExample))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Epoch(in)
	var buf bytes.Buffer
	if err := WriteOutput(&buf, out); err != nil {
		t.Fatal(err)
	}
	want := `{"active":[true,true,true,true],"new_validator_permit":[true,true,false,false],` +
		`"stake_weight":[49151,16383,0,0],"consensus":[0,0,49151,16383],"validator_trust":[65535,16383,0,0],` +
		`"incentive":[0,0,45370,20164],"dividends":[57356,8178,0,0],"ranks":[0,0,45370,20164],` +
		`"trust":[0,0,65535,37448],"pruning_score":[65535,9344,51839,23040],` +
		`"emission":[437605396,62394603,346153846,153846153],"server_emission":[0,0,346153846,153846153],` +
		`"validator_emission":[437605396,62394603,0,0],"bonds":[[[2,34406],[3,1638]],[[3,60619]],[],[]],` +
		`"q32":{"stake":[3221225472,1073741824,0,0],"active_stake":[3221225472,1073741824,0,0],` +
		`"consensus":[0,0,3221225472,1073741824],"validator_trust":[4294967296,1073741824,0,0],` +
		`"incentive":[0,0,2973438897,1321528398],"dividends":[3759001732,535965563,0,0],` +
		`"normalized_server_emission":[0,0,1486719448,660764199],` +
		`"normalized_validator_emission":[1879500866,267982781,0,0],` +
		`"normalized_combined_emission":[1879500866,267982781,1486719448,660764199]}}` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteOutput:\n got %s\nwant %s", got, want)
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	if err := WriteOutput(failWriter{}, Output{}); !errors.Is(err, errWrite) {
		t.Errorf("WriteOutput error = %v, want %v", err, errWrite)
	}
	if err := WriteInput(failWriter{}, Input{}); !errors.Is(err, errWrite) {
		t.Errorf("WriteInput error = %v, want %v", err, errWrite)
	}
}
