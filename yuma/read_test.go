package yuma

import (
	"errors"
	"strings"
	"testing"
)

func TestReadInputMalformed(t *testing.T) {
	const base = `"n":2,"current_block":10,"stake":[1,2]`
	tests := []struct {
		name, doc, field string
	}{
		{"empty", ``, "(input)"},
		{"array", `[1]`, "(input)"},
		{"string", `"x"`, "(input)"},
		{"null", `null`, "(input)"},
		{"syntax", `{"n":2,}`, "(input)"},
		{"truncated", `{"n":2,"stake":[1,`, "(input)"},
		{"trailing object", `{` + base + `}{}`, "(input)"},
		{"trailing garbage", `{` + base + `} x`, "(input)"},
		{"unknown field", `{` + base + `,"foo":1}`, "foo"},
		{"empty field name", `{` + base + `,"":1}`, `""`},
		{"odd field name", `{` + base + `,"a\nb":1}`, `"a\nb"`},
		{"unknown hyper field", `{` + base + `,"hyper":{"kapa":1}}`, "hyper.kapa"},
		{"duplicate field", `{` + base + `,"n":2}`, "n"},
		{"missing n", `{"current_block":1,"stake":[]}`, "n"},
		{"missing current_block", `{"n":0,"stake":[]}`, "current_block"},
		{"neither stake", `{"n":0,"current_block":1}`, "stake"},
		{"both stakes", `{` + base + `,"alpha_stake":[1,2]}`, "stake"},
		{"tao_stake without alpha", `{` + base + `,"tao_stake":[1,2]}`, "tao_stake"},
		{"tao_weight without alpha", `{` + base + `,"tao_weight_u64":1}`, "tao_weight_u64"},
		{"n too large", `{"n":4097,"current_block":1,"stake":[]}`, "n"},
		{"n negative", `{"n":-1,"current_block":1,"stake":[]}`, "n"},
		{"n fraction", `{"n":2.0,"current_block":1,"stake":[1,2]}`, "n"},
		{"n exponent", `{"n":2e0,"current_block":1,"stake":[1,2]}`, "n"},
		{"n string", `{"n":"2","current_block":1,"stake":[1,2]}`, "n"},
		{"n null", `{"n":null,"current_block":1,"stake":[1,2]}`, "n"},
		{"block too large", `{"n":0,"current_block":18446744073709551616,"stake":[]}`, "current_block"},
		{"tempo u16", `{` + base + `,"tempo":65536}`, "tempo"},
		{"tempo null", `{` + base + `,"tempo":null}`, "tempo"},
		{"stake length", `{"n":2,"current_block":1,"stake":[1]}`, "stake"},
		{"stake element", `{"n":2,"current_block":1,"stake":[1,-2]}`, "stake[1]"},
		{"stake element type", `{"n":2,"current_block":1,"stake":[1,true]}`, "stake[1]"},
		{"stake not array", `{"n":2,"current_block":1,"stake":{}}`, "stake"},
		{"alpha length", `{"n":2,"current_block":1,"alpha_stake":[1,2,3]}`, "alpha_stake"},
		{"tao_stake length", `{"n":2,"current_block":1,"alpha_stake":[1,2],"tao_stake":[1]}`, "tao_stake"},
		{"permit type", `{` + base + `,"validator_permit":[true,1]}`, "validator_permit[1]"},
		{"permit length", `{` + base + `,"validator_permit":[true]}`, "validator_permit"},
		{"last_update length", `{` + base + `,"last_update":[1,2,3]}`, "last_update"},
		{"registration element", `{` + base + `,"block_at_registration":[1,1.5]}`, "block_at_registration[1]"},
		{"weights rows", `{` + base + `,"weights":[[]]}`, "weights"},
		{"weights row type", `{` + base + `,"weights":[[],{}]}`, "weights[1]"},
		{"weights entry type", `{` + base + `,"weights":[[],[5]]}`, "weights[1][0]"},
		{"weights entry short", `{` + base + `,"weights":[[],[[1]]]}`, "weights[1][0]"},
		{"weights entry long", `{` + base + `,"weights":[[],[[1,2,3]]]}`, "weights[1][0]"},
		{"weights uid type", `{` + base + `,"weights":[[],[[1,2],["0",2]]]}`, "weights[1][1][0]"},
		{"weights uid >= n", `{` + base + `,"weights":[[],[[1,2],[2,2]]]}`, "weights[1][1][0]"},
		{"weights uid huge", `{` + base + `,"weights":[[],[[1,2],[70000,2]]]}`, "weights[1][1][0]"},
		{"weights duplicate uid", `{` + base + `,"weights":[[[0,1],[1,2],[0,3]],[]]}`, "weights[0][2][0]"},
		{"weights value u16", `{` + base + `,"weights":[[[0,65536]],[]]}`, "weights[0][0][1]"},
		{"weights value null", `{` + base + `,"weights":[[[0,null]],[]]}`, "weights[0][0][1]"},
		{"bonds uid >= n", `{` + base + `,"bonds":[[[3,1]],[]]}`, "bonds[0][0][0]"},
		{"bonds null", `{` + base + `,"bonds":null}`, "bonds"},
		{"owner >= n", `{` + base + `,"owner_uid":2}`, "owner_uid"},
		{"owner huge", `{` + base + `,"owner_uid":99999999999999999999}`, "owner_uid"},
		{"owner type", `{` + base + `,"owner_uid":true}`, "owner_uid"},
		{"commit_blocks type", `{` + base + `,"commit_blocks":5}`, "commit_blocks"},
		{"commit_blocks element", `{` + base + `,"commit_blocks":[null,"1"]}`, "commit_blocks[1]"},
		{"commit_blocks length", `{` + base + `,"commit_blocks":[null]}`, "commit_blocks"},
		{"hyper null", `{` + base + `,"hyper":null}`, "hyper"},
		{"hyper kappa range", `{` + base + `,"hyper":{"kappa":70000}}`, "hyper.kappa"},
		{"hyper bool type", `{` + base + `,"hyper":{"yuma3":1}}`, "hyper.yuma3"},
		{"hyper steepness range", `{` + base + `,"hyper":{"alpha_sigmoid_steepness":32768}}`, "hyper.alpha_sigmoid_steepness"},
		{"hyper steepness low", `{` + base + `,"hyper":{"alpha_sigmoid_steepness":-32769}}`, "hyper.alpha_sigmoid_steepness"},
		{"hyper factor u32", `{` + base + `,"hyper":{"activity_cutoff_factor_milli":4294967296}}`, "hyper.activity_cutoff_factor_milli"},
		{"hyper duplicate", `{` + base + `,"hyper":{"kappa":1,"kappa":2}}`, "hyper.kappa"},
		{"alpha_low > alpha_high", `{` + base + `,"hyper":{"alpha_low":60000}}`, "hyper.alpha_low"},
		{"bonds_moving_average", `{` + base + `,"hyper":{"bonds_moving_average":1000001}}`, "hyper.bonds_moving_average"},
		{"total stake", `{"n":2,"current_block":1,"stake":[9223372036854775808,0]}`, "stake"},
		{"total stake sum", `{"n":2,"current_block":1,"stake":[9223372036854775807,1]}`, "stake"},
		{"total tao stake", `{"n":1,"current_block":1,"alpha_stake":[9223372036854775807],"tao_stake":[18446744073709551615],"tao_weight_u64":18446744073709551615}`, "alpha_stake"},
		{"rao_emission", `{` + base + `,"rao_emission":-1}`, "rao_emission"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			_, err := ReadInput(strings.NewReader(tt.doc))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ReadInput(%s) error = %v, want *InputError", tt.doc, err)
			}
			if ie.Field != tt.field {
				t.Errorf("ReadInput(%s): field %q, want %q (%v)", tt.doc, ie.Field, tt.field, err)
			}
			want := "invalid input: " + tt.field + ": "
			if msg := err.Error(); !strings.HasPrefix(msg, want) || len(msg) == len(want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q, want %q<reason> on one line", msg, want)
			}
		})
	}
}

func TestReadInputDefaults(t *testing.T) {
	in, err := ReadInput(strings.NewReader(` {"current_block":7,"stake":[5,6,7],"n":3} `))
	if err != nil {
		t.Fatal(err)
	}
	if in.Tempo != 360 || in.ActivityCutoff != 5000 || in.RaoEmission != 1_000_000_000 {
		t.Errorf("tempo, activity_cutoff, rao_emission = %d, %d, %d", in.Tempo, in.ActivityCutoff, in.RaoEmission)
	}
	if in.Hyper != DefaultHyper() || in.HasOwner || in.CommitBlocks != nil {
		t.Errorf("hyper %+v, owner %v, commit_blocks %v", in.Hyper, in.HasOwner, in.CommitBlocks)
	}
	if len(in.ValidatorPermit) != 3 || len(in.Weights) != 3 || in.Weights[2] == nil || len(in.Bonds) != 3 {
		t.Errorf("optional vectors not filled: %+v", in)
	}
	// activity_cutoff follows the factor and tempo, whatever the field order.
	in, err = ReadInput(strings.NewReader(`{"hyper":{"activity_cutoff_factor_milli":1},"tempo":10,"n":0,"current_block":0,"stake":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.ActivityCutoff != 1 {
		t.Errorf("activity_cutoff = %d, want max(1, 0) = 1", in.ActivityCutoff)
	}
	in, err = ReadInput(strings.NewReader(`{"n":1,"current_block":0,"alpha_stake":[1],"owner_uid":0,"commit_blocks":[null],"stake_unused":0}`))
	if err == nil {
		t.Fatalf("unknown field accepted: %+v", in)
	}
	in, err = ReadInput(strings.NewReader(`{"n":1,"current_block":0,"alpha_stake":[1],"owner_uid":0,"commit_blocks":[null],"rao_emission":-0}`))
	if err != nil {
		t.Fatal(err)
	}
	if !in.HasOwner || in.OwnerUID != 0 || len(in.TaoStake) != 1 || in.CommitBlocks[0].Valid || in.RaoEmission != 0 {
		t.Errorf("got %+v", in)
	}
}
