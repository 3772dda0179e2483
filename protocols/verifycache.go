package protocols

import (
	"crypto/sha256"
	"sync"
)

// VerifyCache remembers signatures that verified, so a message checked by a
// gossip validator is not checked again by the mempool, the block's
// execution and the consensus core. Its Verify answers exactly as Verify
// does: only successes are kept, keyed by a hash of everything Verify
// reads (key, chain, kind, canonical bytes, signature), so a hit is an
// identical triple that verified before. Replicas using it therefore
// decide as replicas that do not.
//
// A VerifyCache holds at most n entries; when full, the older half is
// dropped (two generations, so a lookup is one or two map reads). It is
// safe for concurrent use.
type VerifyCache struct {
	max int

	mu        sync.Mutex // guards cur, old
	cur, old  map[[sha256.Size]byte]struct{}
	hits, all uint64
}

// NewVerifyCache returns a cache of at most n verified signatures (n < 2:
// 2).
func NewVerifyCache(n int) *VerifyCache {
	n = max(n, 2)
	return &VerifyCache{max: n, cur: make(map[[sha256.Size]byte]struct{}, n/2)}
}

// Verify is Verify, answered from the cache where the same arguments
// verified before. It has the VerifyFunc signature.
func (c *VerifyCache) Verify(pub []byte, chainID, kind string, canonical, sig []byte) error {
	k := verifyKey(pub, chainID, kind, canonical, sig)
	c.mu.Lock()
	c.all++
	ok := c.hasLocked(k)
	if ok {
		c.hits++
	}
	c.mu.Unlock()
	if ok {
		return nil
	}
	if err := Verify(pub, chainID, kind, canonical, sig); err != nil {
		return err
	}
	c.mu.Lock()
	c.addLocked(k)
	c.mu.Unlock()
	return nil
}

// VerifyBatch is VerifyBatch, answered from the cache where the same
// arguments verified before; the rest are checked together. It has the
// VerifyBatchFunc signature.
func (c *VerifyCache) VerifyBatch(checks []SigCheck) []error {
	keys := make([][sha256.Size]byte, len(checks))
	for i, ch := range checks {
		keys[i] = verifyKey(ch.Pub, ch.ChainID, ch.Kind, ch.Canonical, ch.Sig)
	}
	var miss []int // indexes of checks not in the cache
	c.mu.Lock()
	for i, k := range keys {
		c.all++
		if c.hasLocked(k) {
			c.hits++
			continue
		}
		miss = append(miss, i)
	}
	c.mu.Unlock()
	if len(miss) == 0 {
		return nil
	}
	todo := make([]SigCheck, len(miss))
	for j, i := range miss {
		todo[j] = checks[i]
	}
	merrs := VerifyBatch(todo)
	var errs []error
	c.mu.Lock()
	for j, i := range miss {
		if merrs != nil && merrs[j] != nil {
			if errs == nil {
				errs = make([]error, len(checks))
			}
			errs[i] = merrs[j]
			continue
		}
		c.addLocked(keys[i])
	}
	c.mu.Unlock()
	return errs
}

func (c *VerifyCache) hasLocked(k [sha256.Size]byte) bool {
	if _, ok := c.cur[k]; ok {
		return true
	}
	_, ok := c.old[k]
	return ok
}

func (c *VerifyCache) addLocked(k [sha256.Size]byte) {
	if len(c.cur) >= c.max/2 {
		c.old, c.cur = c.cur, make(map[[sha256.Size]byte]struct{}, c.max/2)
	}
	c.cur[k] = struct{}{}
}

// Stats returns the lookups answered from the cache and all lookups.
func (c *VerifyCache) Stats() (hits, lookups uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.all
}

// verifyKey hashes Verify's arguments, each length-prefixed so that no two
// different argument lists share an input.
func verifyKey(pub []byte, chainID, kind string, canonical, sig []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, b := range [][]byte{pub, []byte(chainID), []byte(kind), canonical, sig} {
		l := uint64(len(b))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(b)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}
