package ledger

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// mapView is a View over a map: the obviously correct model.
type mapView map[string][]byte

func (m mapView) Get(k []byte) ([]byte, error) { return m[string(k)], nil }

func (m mapView) Iterate(prefix []byte, fn func(k, v []byte) error) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if bytes.HasPrefix([]byte(k), prefix) && len(m[k]) > 0 {
			if err := fn([]byte(k), m[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestOverlayMatchesMap: a block overlay with transaction overlays merged
// into it (small ones in slices, larger ones in maps) reads, iterates and
// sorts its writes as a plain map of the same writes does.
func TestOverlayMatchesMap(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			base := mapView{}
			for range 50 {
				base[fmt.Sprintf("k%02d", r.IntN(60))] = []byte{byte(r.IntN(256)) | 1}
			}
			model := maps.Clone(base)
			written := map[string][]byte{}
			block := newOverlay(base)
			for range r.IntN(40) {
				tx := newOverlay(block)
				txModel := maps.Clone(model)
				txWritten := map[string][]byte{}
				for range r.IntN(3 * smallOverlay) {
					k := fmt.Sprintf("k%02d", r.IntN(60))
					var v []byte
					if r.IntN(5) > 0 {
						v = []byte{byte(r.IntN(256)) | 1}
					}
					tx.set([]byte(k), v)
					txModel[k], txWritten[k] = v, v
					q := fmt.Sprintf("k%02d", r.IntN(60))
					if got, _ := tx.Get([]byte(q)); !bytes.Equal(got, txModel[q]) {
						t.Fatalf("tx Get(%s) = %x, want %x", q, got, txModel[q])
					}
				}
				if r.IntN(4) == 0 {
					continue // rejected: dropped
				}
				block.merge(tx)
				model = txModel
				maps.Copy(written, txWritten)
			}
			for k, want := range model {
				if got, _ := block.Get([]byte(k)); !bytes.Equal(got, want) {
					t.Fatalf("Get(%s) = %x, want %x", k, got, want)
				}
			}
			if block.len() != len(written) {
				t.Fatalf("len = %d, want %d", block.len(), len(written))
			}
			ws := block.sorted(nil)
			keys := slices.Sorted(maps.Keys(written))
			if len(ws) != len(keys) {
				t.Fatalf("sorted has %d keys, want %d", len(ws), len(keys))
			}
			for i, k := range keys {
				if string(ws[i].Key) != k || !bytes.Equal(ws[i].Value, written[k]) {
					t.Fatalf("sorted[%d] = %s=%x, want %s=%x", i, ws[i].Key, ws[i].Value, k, written[k])
				}
			}
			var got, want []string
			block.Iterate([]byte("k1"), func(k, v []byte) error { got = append(got, fmt.Sprintf("%s=%x", k, v)); return nil })
			mapView(model).Iterate([]byte("k1"), func(k, v []byte) error { want = append(want, fmt.Sprintf("%s=%x", k, v)); return nil })
			if !slices.Equal(got, want) {
				t.Fatalf("Iterate = %v, want %v", got, want)
			}
		})
	}
}
