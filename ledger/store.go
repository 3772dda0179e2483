package ledger

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
)

// Store is the durable key-value store under a Ledger: what the ledger
// needs from badger, declared here (STYLE §4). The ledger owns the key
// schema (keys.go); a Store only keeps bytes.
//
// Implementations are safe for concurrent use. Values passed to Write are
// not modified afterwards by the caller; values returned by Get and
// Iterate are the caller's.
type Store interface {
	// Get returns the value of key, or nil if it is absent.
	Get(key []byte) ([]byte, error)
	// Iterate calls fn for every key with the prefix in ascending byte
	// order until fn returns an error, which Iterate returns.
	Iterate(prefix []byte, fn func(key, value []byte) error) error
	// Write applies batch atomically: after a crash either all of it is
	// there or none. An empty Value deletes the key.
	Write(batch []KV) error
	// Close releases the store. Calls after Close fail.
	Close() error
}

// ErrClosed reports a call on a closed store.
var ErrClosed = errors.New("ledger: store is closed")

// MemStore is an in-memory Store for tests and simulation. The zero value
// is not usable; call NewMemStore.
type MemStore struct {
	mu     sync.RWMutex // guards m, closed
	m      map[string][]byte
	closed bool
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: make(map[string][]byte)} }

// Get implements Store.
func (s *MemStore) Get(key []byte) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	v, ok := s.m[string(key)]
	if !ok {
		return nil, nil
	}
	return bytes.Clone(v), nil
}

// Iterate implements Store. It iterates over a copy of the matching
// entries, so fn may call the store.
func (s *MemStore) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	var kvs []KV
	for k, v := range s.m {
		if strings.HasPrefix(k, string(prefix)) {
			kvs = append(kvs, KV{Key: []byte(k), Value: bytes.Clone(v)})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(kvs, func(a, b KV) int { return bytes.Compare(a.Key, b.Key) })
	for _, kv := range kvs {
		if err := fn(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// Write implements Store.
func (s *MemStore) Write(batch []KV) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	for _, kv := range batch {
		if len(kv.Value) == 0 {
			delete(s.m, string(kv.Key))
		} else {
			s.m[string(kv.Key)] = bytes.Clone(kv.Value)
		}
	}
	return nil
}

// Close implements Store. A second call is a no-op.
func (s *MemStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// stateView is the state namespace of a Store as a View.
type stateView struct{ s reader }

// reader is the read side of a Store (or of one snapshot of it).
type reader interface {
	Get(key []byte) ([]byte, error)
	Iterate(prefix []byte, fn func(key, value []byte) error) error
}

// snapshotter is a Store that reads one consistent snapshot cheaply: a
// block's execution reads thousands of keys (an epoch reads every
// neuron's stake), and one read transaction for all of them costs far
// less than one per read.
type snapshotter interface {
	snapshot() (reader, func())
}

func (v stateView) Get(key []byte) ([]byte, error) { return v.s.Get(storeKey(key)) }

func (v stateView) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	return v.s.Iterate(storeKey(prefix), func(k, val []byte) error { return fn(k[1:], val) })
}
