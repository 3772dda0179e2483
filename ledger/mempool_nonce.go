package ledger

// NextNonce returns the nonce account a's next transaction must carry to
// enter this mempool: the committed nonce advanced past the account's
// pending transactions. Clients ask it so that several transactions can be
// submitted before a block commits.
func (m *Mempool) NextNonce(a Account) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.freshLocked()
	r, err := getAccount(m.check.block, a)
	return r.Nonce, err
}
