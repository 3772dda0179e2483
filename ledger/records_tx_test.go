package ledger

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/taonet/tao/protocols"
)

// TestTxRecordCodec: appendTxRecord writes what protocols.Marshal writes,
// for nil and empty lists and strings of every head length.
func TestTxRecordCodec(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		return strings.Repeat("é", []int{0, 1, 11, 12, 23, 24, 127, 128, 40000}[r.IntN(9)])
	}
	num := func() uint64 { return r.Uint64() >> r.IntN(64) }
	for range 2000 {
		rec := txRecord{Height: num(), Index: uint32(num()), Result: Result{Fee: num()}}
		if n := r.IntN(4); n > 0 {
			rec.Result.Events = make([]Event, n-1)
			for i := range rec.Result.Events {
				ev := &rec.Result.Events[i]
				ev.Type = str()
				if m := r.IntN(4); m > 0 {
					ev.Attrs = make([]Attr, m-1)
					for j := range ev.Attrs {
						ev.Attrs[j] = Attr{Key: str(), Value: str()}
					}
				}
			}
		}
		want, err := protocols.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendTxRecord([]byte("x"), &rec); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("appendTxRecord(%+v) = %x, want %x", rec, got[1:], want)
		}
	}
}
