package yuma

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// FuzzEpoch runs Epoch on inputs drawn from the fuzz data: valid ones must
// satisfy the invariants; corrupted ones must be rejected with an
// *InputError or, when still valid, satisfy them too. Nothing may panic.
func FuzzEpoch(f *testing.F) {
	for _, s := range []string{"", "\x00", "\x01", "yuma3 liquid alpha", strings.Repeat("\xff", 64),
		strings.Repeat("\x00\x01\x02\x03\x04\x05\x06\x07", 16)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := rand.New(&byteSource{data: data})
		in := genInput(r, genOpts{maxN: 12, sortedRows: r.IntN(2) == 0})
		corrupt := r.IntN(3) == 0
		if corrupt {
			corruptInput(r, &in)
		}
		out, err := Epoch(in)
		if err != nil {
			var ie *InputError
			if !corrupt || !errors.As(err, &ie) {
				t.Fatalf("Epoch error %v (corrupted %v)", err, corrupt)
			}
			return
		}
		if err := checkInvariants(&in, out); err != nil {
			t.Fatal(err)
		}
		if corrupt {
			return
		}
		// The JSON form round-trips and gives the same epoch.
		var buf bytes.Buffer
		if err := WriteInput(&buf, in); err != nil {
			t.Fatal(err)
		}
		back, err := ReadInput(&buf)
		if err != nil {
			t.Fatalf("ReadInput(WriteInput(in)): %v", err)
		}
		out2, err := Epoch(back)
		if err != nil || !reflect.DeepEqual(out, out2) {
			t.Fatalf("epoch of the re-read input differs (err %v)", err)
		}
	})
}

// corruptInput breaks one structural rule of §9 (or, by chance, none).
func corruptInput(r *rand.Rand, in *Input) {
	n := in.N
	switch r.IntN(9) {
	case 0:
		in.N = n + 1 - r.IntN(3)
	case 1:
		if n > 0 && len(in.Weights[0]) > 0 {
			in.Weights[0][0].UID = uint16(n + r.IntN(3))
		}
	case 2:
		if n > 0 && len(in.Bonds[n-1]) > 0 {
			row := in.Bonds[n-1]
			in.Bonds[n-1] = append(row, row[0])
		}
	case 3:
		in.HasOwner, in.OwnerUID = true, n+r.IntN(2)-r.IntN(3)
	case 4:
		in.Hyper.AlphaLow, in.Hyper.AlphaHigh = 2, 1
	case 5:
		in.Hyper.BondsMovingAverage = MaxBondsMovingAverage + r.Uint64N(2)
	case 6:
		if n > 0 {
			in.Stake, in.AlphaStake, in.TaoStake = make([]uint64, n), nil, nil
			in.Stake[0] = math.MaxUint64 >> r.UintN(2)
		}
	case 7:
		in.LastUpdate = in.LastUpdate[:r.IntN(n+1)]
	case 8:
		in.Stake, in.AlphaStake = in.AlphaStake, in.Stake
	}
}

// FuzzReadInput feeds arbitrary bytes to ReadInput: no panic; a rejection is
// one "invalid input: <field>: <reason>" line; an accepted input re-encodes
// with WriteInput, decodes to the same Input and re-encodes to the same
// bytes, and Epoch accepts it.
func FuzzReadInput(f *testing.F) {
	f.Add([]byte(workedExample))
	f.Add([]byte(`{"n":0,"current_block":0,"stake":[]}`))
	f.Add([]byte(`{"n":1,"current_block":5,"alpha_stake":[1],"tao_stake":[2],"tao_weight_u64":3,"owner_uid":0,"commit_blocks":[null]}`))
	f.Add([]byte(`{"n":2,"current_block":1,"stake":[1,2],"weights":[[[1,2]],[[0,-0]]],"hyper":{"alpha_sigmoid_steepness":-5}}`))
	f.Add([]byte(`{"n":2,"current_block":1e3,"stake":[1,2]} x`))
	for _, c := range loadVectors(f).Cases[:4] {
		f.Add([]byte(c.Epochs[0].Input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadInput(bytes.NewReader(data))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "invalid input: "+ie.Field+": ") || ie.Field == "" || ie.Reason == "" ||
				strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("malformed error message %q", msg)
			}
			return
		}
		var b1, b2 bytes.Buffer
		if err := WriteInput(&b1, in); err != nil {
			t.Fatal(err)
		}
		back, err := ReadInput(bytes.NewReader(b1.Bytes()))
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, b1.Bytes())
		}
		if !reflect.DeepEqual(in, back) {
			t.Fatalf("re-read input differs:\n%+v\n%+v", in, back)
		}
		if err := WriteInput(&b2, back); err != nil || !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Fatalf("re-encoding differs (%v):\n%s\n%s", err, b1.Bytes(), b2.Bytes())
		}
		if in.N <= 64 {
			if _, err := Epoch(in); err != nil {
				t.Fatalf("Epoch rejected an accepted input: %v", err)
			}
		}
	})
}
