package node

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

// AccountInfo is GET /account/{address}.
type AccountInfo struct {
	Address string `json:"address"`
	Balance uint64 `json:"balance_rao"`
	// Nonce is the nonce of the account's next transaction, counting
	// those pending in this node's mempool.
	Nonce uint64 `json:"nonce"`
	TxFee uint64 `json:"tx_fee_rao"`
}

// TxInfo is GET /tx/{cid} and the answer of POST /tx.
type TxInfo struct {
	ID     string `json:"tx"`
	State  string `json:"state"` // unknown, pending, committed; "parked" from POST /tx(s): waits for earlier nonces; "rejected" from POST /txs
	Height uint64 `json:"height,omitempty"`
	Fee    uint64 `json:"fee_rao,omitempty"`
	Error  string `json:"error,omitempty"` // why POST /txs rejected it
	// Events are what a committed transaction did, in order (GET /tx/{cid}
	// only), as CometBFT's /tx reports its result's events.
	Events []TxEvent `json:"events,omitempty"`
}

// TxEvent is one event of a committed transaction (ledger.Event).
type TxEvent struct {
	Type       string        `json:"type"`
	Attributes []TxEventAttr `json:"attributes"`
}

// TxEventAttr is one key/value attribute of a TxEvent.
type TxEventAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Attr returns the value of the first attribute named key, and whether
// there is one.
func (e TxEvent) Attr(key string) (string, bool) {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func txEvents(evs []ledger.Event) []TxEvent {
	var out []TxEvent
	for _, ev := range evs {
		e := TxEvent{Type: ev.Type, Attributes: make([]TxEventAttr, 0, len(ev.Attrs))}
		for _, a := range ev.Attrs {
			e.Attributes = append(e.Attributes, TxEventAttr{Key: a.Key, Value: a.Value})
		}
		out = append(out, e)
	}
	return out
}

// TxBatchInfo is the answer of POST /txs: one TxInfo per transaction, in
// the batch's order.
type TxBatchInfo struct {
	Txs      []TxInfo `json:"txs"`
	Accepted int      `json:"accepted"` // pending or parked
}

// apiError is the chain API's error body.
type apiError struct {
	Error string `json:"error"`
}

func (n *Node) registerChainAPI(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/{address}", n.handleAccount)
	mux.HandleFunc("POST /tx", n.handleSubmitTx)
	mux.HandleFunc("POST /txs", n.handleSubmitTxs)
	mux.HandleFunc("GET /tx/{cid}", n.handleTx)
	mux.HandleFunc("GET /block/{height}", n.handleBlock)
	mux.HandleFunc("GET /validators", n.handleValidators)
}

var errNoChain = errors.New("this node follows no chain (start it with a genesis: --genesis FILE)")

func (n *Node) handleAccount(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	addr, err := wallet.ParseAddress(r.PathValue("address"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	acct, err := ledger.AccountOf(addr.PublicKey())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	l := n.chain.ledger
	bal, err := l.Balance(acct)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	nonce, err := l.Mempool().NextNonce(acct)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, AccountInfo{Address: addr.String(), Balance: uint64(bal), Nonce: nonce, TxFee: uint64(l.Chain().Params.TxFee)})
}

// handleSubmitTx takes a canonical CBOR transaction (application/cbor),
// adds it to the mempool and gossips it. A body over protocols.MaxTxSize
// is refused with 413 and ledger.ErrTxTooLarge, one that does not decode
// with 400 and ledger.ErrMalformedTx.
func (n *Node) handleSubmitTx(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, protocols.MaxTxSize+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	if len(b) > protocols.MaxTxSize {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{errTxTooLarge(fmt.Sprintf("more than %d bytes", protocols.MaxTxSize)).Error()})
		return
	}
	tx, err := protocols.DecodeTx(b)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("%v: %v; %s", ledger.ErrMalformedTx, err, sendTxFix)})
		return
	}
	id, err := tx.ID()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	state := ledger.TxPending.String()
	a, err := n.chain.admit(tx)
	switch a {
	case rejected:
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	case parked:
		state = "parked" // waits here for the account's earlier nonces
	}
	if a == known {
		// Resubmitted: gossip names a message by its bytes, so the same
		// transaction goes again as a numbered batch of one (peers that
		// missed it or set it aside get another chance).
		var batch []byte
		if batch, err = protocols.EncodeTxBatch([][]byte{b}); err == nil {
			err = n.chain.gossipBatch(r.Context(), batch)
		}
	} else {
		err = n.chain.txs.Publish(r.Context(), b)
	}
	if err != nil {
		n.log.Warn("gossip transaction", "tx", id, "err", err)
	}
	writeJSON(w, http.StatusAccepted, TxInfo{ID: id.String(), State: state})
}

// handleSubmitTxs takes a batch of transactions (protocols.EncodeTxBatch,
// application/cbor), admits them in order as POST /tx does, and gossips
// those admitted. A malformed batch is refused whole; a transaction the
// ledger rejects is reported and the rest still go in. The admitted ones
// are gossiped as one batch (protocols.TxBatchTopic).
func (n *Node) handleSubmitTxs(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, protocols.MaxTxBatchSize+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	txs, raw, err := protocols.DecodeTxBatch(b)
	if err != nil {
		code, err := batchDecodeError(b, err)
		writeJSON(w, code, apiError{err.Error()})
		return
	}
	out := TxBatchInfo{Txs: make([]TxInfo, len(txs))}
	var admitted [][]byte
	// All signatures at once, so admitting each below is a cache hit; a
	// bad one is reported by its admission.
	n.chain.verifyTxs(txs)
	for i, tx := range txs {
		info := &out.Txs[i]
		// DecodeTx checked raw[i] is canonical: tx's ID names those bytes,
		// hashed once already for the signature check (tx.ID reuses it).
		id, err := tx.ID()
		if err != nil {
			id = protocols.CID(raw[i])
		}
		info.ID = id.String()
		switch a, err := n.chain.admit(tx); a {
		case rejected:
			info.State, info.Error = "rejected", err.Error()
			continue
		case parked:
			info.State = "parked"
		default:
			info.State = ledger.TxPending.String()
		}
		out.Accepted++
		admitted = append(admitted, raw[i])
	}
	// One gossip message for the batch, numbered (EncodeTxBatchGossip) so
	// that a resubmitted batch goes again: per-message costs are paid once.
	if len(admitted) > 0 {
		// All admitted: the request is the batch (DecodeTxBatch checked
		// it is canonical).
		gb := b
		var err error
		if len(admitted) < len(raw) {
			gb, err = protocols.EncodeTxBatch(admitted)
		}
		if err == nil {
			err = n.chain.gossipBatch(r.Context(), gb)
		}
		if err != nil {
			n.log.Warn("gossip transaction batch", "txs", len(admitted), "err", err)
		}
	}
	writeJSON(w, http.StatusAccepted, out)
}

// sendTxFix is what a client whose bytes are not a transaction should
// send instead.
const sendTxFix = "send a signed protocols.Tx in canonical CBOR as protocols.EncodeTx writes it (`tao transfer` and node.Client.SubmitTx do)"

// errTxTooLarge reports an encoded transaction over protocols.MaxTxSize as
// the ledger does (ledger.ErrTxTooLarge); size says how large it is.
func errTxTooLarge(size string) error {
	return fmt.Errorf("%w: %s, limit %d; split it into smaller transactions", ledger.ErrTxTooLarge, size, protocols.MaxTxSize)
}

// batchDecodeError is POST /txs's status and error for a body
// protocols.DecodeTxBatch refused (err). A transaction in it over
// protocols.MaxTxSize is reported as POST /tx reports one, with its
// index; a batch over its own bounds says them.
func batchDecodeError(b []byte, err error) (int, error) {
	if !errors.Is(err, protocols.ErrTooLarge) {
		return http.StatusBadRequest, fmt.Errorf("not a transaction batch (a CBOR array of at most %d encoded transactions, %d bytes): %w; encode it with protocols.EncodeTxBatch, as node.Client.SubmitTxs does", protocols.MaxTxBatchLen, protocols.MaxTxBatchSize, err)
	}
	// Too large: the batch, or one of its transactions. The error does not
	// say which, so look again (a refused request, bounded by the limit).
	var raw [][]byte
	if len(b) <= protocols.MaxTxBatchSize && protocols.UnmarshalStored(b, &raw, protocols.MaxTxBatchSize) == nil && len(raw) <= protocols.MaxTxBatchLen {
		for i, r := range raw {
			if len(r) > protocols.MaxTxSize {
				return http.StatusRequestEntityTooLarge, fmt.Errorf("transaction %d: %w", i, errTxTooLarge(fmt.Sprintf("%d bytes", len(r))))
			}
		}
	}
	return http.StatusRequestEntityTooLarge, fmt.Errorf("transaction batch too large: %w; send at most %d transactions and %d bytes per batch", err, protocols.MaxTxBatchLen, protocols.MaxTxBatchSize)
}

func (n *Node) handleTx(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	id, err := cid.Decode(r.PathValue("cid"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"bad transaction ID: " + err.Error()})
		return
	}
	st, err := n.chain.ledger.TxStatus(id)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	info := TxInfo{ID: id.String(), State: st.State.String()}
	if st.State == ledger.TxCommitted {
		info.Height, info.Fee, info.Events = st.Height, st.Result.Fee, txEvents(st.Result.Events)
	}
	writeJSON(w, http.StatusOK, info)
}

// fillChainStatus adds the ledger's and consensus' state to s.
func (n *Node) fillChainStatus(s *Status) {
	if n.chain == nil {
		return
	}
	l := n.chain.ledger
	tip := l.Tip()
	s.Height = tip.Height
	if c, err := cid.Cast(tip.BlockID); err == nil {
		s.BlockHash = c.String()
	}
	s.StateRoot = tip.Root.String()
	rs := n.chain.rep.Status()
	s.Sync = n.SyncStatus()
	s.Syncing = rs.Syncing || s.Sync.Active
	s.Validator = rs.Validator
	s.Round = rs.Round
	s.Evidence = rs.Evidence
	if vs, err := l.Validators(); err == nil {
		for _, v := range vs {
			id := v.Hotkey.String()
			if pid := peerOfHotkey(v.Hotkey); pid != "" {
				id = pid.String()
			}
			s.Validators = append(s.Validators, ValidatorInfo{PeerID: id, Power: v.Power})
		}
	}
	s.TxFee = uint64(l.Chain().Params.TxFee)
	s.BlockTimeMs = l.Chain().Params.BlockTimeMs
	s.LastBlockTimeMs = tip.Time
	s.Consensus = rs.Step + "@" + strconv.Itoa(int(rs.Round))
}
