package ledger

import (
	"bytes"
	"slices"
	"strings"
)

// View reads the state the state machine runs on. Keys and values are state
// keys (keys.go), without the store's namespace. Values returned are
// immutable: callers never modify them, and implementations may share them.
type View interface {
	// Get returns the value of key, or nil if it is absent. Stored values
	// are never empty.
	Get(key []byte) ([]byte, error)
	// Iterate calls fn for every key with the prefix, in ascending byte
	// order, until fn returns an error.
	Iterate(prefix []byte, fn func(key, value []byte) error) error
}

// KV is one key and value. In a WriteSet an empty Value deletes the key.
type KV struct {
	_     struct{} `cbor:",toarray"`
	Key   []byte
	Value []byte
}

// WriteSet is a block's state changes, sorted by key, each key once. It is
// what the state root hashes (root.go), so its order is part of consensus.
type WriteSet []KV

// overlay buffers writes over a View. A block runs on one overlay over the
// committed state, and each transaction on a child overlay that is merged
// into it only if the transaction succeeds, so a rejected transaction
// changes nothing. Deleted keys are held as nil values.
type overlay struct {
	base   View
	writes map[string][]byte // nil while the overlay is small: vals holds the values
	vals   [][]byte          // while small: vals[i] is fresh[i]'s value
	index  []string          // keys of writes in order, except those in fresh
	fresh  []string          // keys first written since index was last merged
	reads  map[string][]byte // base values read (the base does not change under an overlay)
	// cache keeps base reads in reads. An overlay over another overlay
	// (a transaction's over its block's) does not: its base answers from
	// memory, and most keys a transaction reads it reads once or twice.
	cache bool
	// A transaction's fresh and vals start in these, allocated with the
	// overlay.
	freshArr [smallOverlay]string
	valsArr  [smallOverlay][]byte
}

// smallOverlay is the number of keys an overlay holds in slices before
// it builds a map: a transfer writes three, and a map per transaction
// (its allocation and inserts) cost more than the scans.
const smallOverlay = 8

func newOverlay(base View) *overlay {
	o := &overlay{base: base}
	if _, nested := base.(*overlay); nested {
		// A transaction's: room for its few writes up front.
		o.fresh, o.vals = o.freshArr[:0], o.valsArr[:0]
	} else {
		o.cache = true
	}
	return o
}

// reset empties a transaction's overlay (newOverlay over another
// overlay) for the next transaction over the same base: as new, without
// the allocation. What it held was merged into the base or dropped.
func (o *overlay) reset() {
	*o = overlay{base: o.base}
	o.fresh, o.vals = o.freshArr[:0], o.valsArr[:0]
}

// written returns the buffered value of k and whether k was written.
func (o *overlay) written(k []byte) ([]byte, bool) {
	if o.writes != nil {
		v, ok := o.writes[string(k)] // no allocation: a map lookup
		return v, ok
	}
	for i, f := range o.fresh {
		if f == string(k) { // no allocation: a comparison
			return o.vals[i], true
		}
	}
	return nil, false
}

// Get implements View.
func (o *overlay) Get(key []byte) ([]byte, error) {
	if v, ok := o.written(key); ok {
		return v, nil
	}
	if v, ok := o.reads[string(key)]; ok {
		return v, nil
	}
	v, err := o.base.Get(key)
	if err == nil && o.cache {
		if o.reads == nil {
			o.reads = make(map[string][]byte)
		}
		o.reads[string(key)] = v
	}
	return v, err
}

// Iterate implements View: the base's keys merged with the buffered writes.
func (o *overlay) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	return mergeIterate(o.base, o.sorted(prefix), prefix, fn)
}

// set buffers a write; an empty value deletes the key.
func (o *overlay) set(key, value []byte) {
	if len(value) == 0 {
		value = nil
	}
	if o.writes == nil {
		for i, f := range o.fresh {
			if f == string(key) { // rewritten: no new string
				o.vals[i] = value
				return
			}
		}
	}
	o.put(string(key), value)
}

func (o *overlay) put(k string, v []byte) {
	if o.writes == nil {
		for i, f := range o.fresh {
			if f == k {
				o.vals[i] = v
				return
			}
		}
		if len(o.fresh) < smallOverlay {
			o.fresh = append(o.fresh, k)
			o.vals = append(o.vals, v)
			return
		}
		o.writes = make(map[string][]byte, 4*smallOverlay)
		for i, f := range o.fresh {
			o.writes[f] = o.vals[i]
		}
		o.vals = nil
	}
	if _, ok := o.writes[k]; !ok {
		o.fresh = append(o.fresh, k)
	}
	o.writes[k] = v
}

// len returns the number of keys written.
func (o *overlay) len() int { return len(o.index) + len(o.fresh) }

// merge moves the child's writes into o, in the child's order of first
// writes (map order never reaches consensus either way: sorted sorts).
func (o *overlay) merge(child *overlay) {
	if child.writes == nil {
		for i, k := range child.fresh {
			o.put(k, child.vals[i])
		}
		return
	}
	for k, v := range child.writes {
		o.put(k, v)
	}
}

// reindex merges the fresh keys into the sorted index: sorting only what
// is new keeps a block's many small iterations (a subnet's neurons, a
// hotkey's stakers) from re-sorting all of its writes each time.
func (o *overlay) reindex() {
	if len(o.fresh) == 0 || o.writes == nil { // a small overlay has no index
		return
	}
	slices.Sort(o.fresh) // map order never reaches consensus
	merged := make([]string, 0, len(o.index)+len(o.fresh))
	i, j := 0, 0
	for i < len(o.index) && j < len(o.fresh) {
		if o.index[i] < o.fresh[j] {
			merged = append(merged, o.index[i])
			i++
		} else {
			merged = append(merged, o.fresh[j])
			j++
		}
	}
	merged = append(append(merged, o.index[i:]...), o.fresh[j:]...)
	o.index, o.fresh = merged, o.fresh[:0]
}

// sorted returns the buffered writes under prefix in key order. The
// fresh keys are merged into the index only once they are many (a
// geometric schedule), so a block of many small iterations, each after a
// few writes, does not copy the whole index each time.
func (o *overlay) sorted(prefix []byte) WriteSet {
	if len(o.fresh) > max(1024, len(o.index)/4) {
		o.reindex()
	}
	p := string(prefix)
	lo, _ := slices.BinarySearch(o.index, p)
	var old []string
	for _, k := range o.index[lo:] {
		if !strings.HasPrefix(k, p) {
			break
		}
		old = append(old, k)
	}
	var fresh []string
	for _, k := range o.fresh {
		if strings.HasPrefix(k, p) {
			fresh = append(fresh, k)
		}
	}
	slices.Sort(fresh) // map order never reaches consensus
	ws := make(WriteSet, 0, len(old)+len(fresh))
	add := func(k string) {
		v := o.writes[k]
		if o.writes == nil {
			v, _ = o.written([]byte(k)) // a small overlay: a few keys
		}
		ws = append(ws, KV{Key: []byte(k), Value: v})
	}
	i, j := 0, 0
	for i < len(old) && j < len(fresh) {
		if old[i] < fresh[j] {
			add(old[i])
			i++
		} else {
			add(fresh[j])
			j++
		}
	}
	for ; i < len(old); i++ {
		add(old[i])
	}
	for ; j < len(fresh); j++ {
		add(fresh[j])
	}
	return ws
}

// mergeIterate calls fn over base's keys under prefix with ws (sorted, under
// prefix) laid over them: a key in ws replaces base's, and an empty value
// hides it.
func mergeIterate(base View, ws WriteSet, prefix []byte, fn func(key, value []byte) error) error {
	i := 0
	emit := func(kv KV) error {
		if len(kv.Value) == 0 {
			return nil
		}
		return fn(kv.Key, kv.Value)
	}
	err := base.Iterate(prefix, func(k, v []byte) error {
		for i < len(ws) && bytes.Compare(ws[i].Key, k) < 0 {
			if err := emit(ws[i]); err != nil {
				return err
			}
			i++
		}
		if i < len(ws) && bytes.Equal(ws[i].Key, k) {
			i++
			return emit(ws[i-1])
		}
		return fn(k, v)
	})
	if err != nil {
		return err
	}
	for ; i < len(ws); i++ {
		if err := emit(ws[i]); err != nil {
			return err
		}
	}
	return nil
}
