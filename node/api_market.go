package node

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/wallet"
)

// The market API reads the dTAO state of the ledger at the committed tip:
//
//	GET /subnets            []ledger.SubnetInfo, by netuid
//	GET /metagraph/{netuid} ledger.Metagraph
//	GET /economy            ledger.Economy: issuance, per-subnet price, reserves, emission
//	GET /stakes/{address}   []ledger.StakeInfo of a coldkey (tao1… or 64 hex digits)
//	GET /hotkey/{hotkey}    ledger.HotkeyInfo: owner and take (hex or peer ID)
//
// Errors are {"error": "..."}: 400 for a malformed path value, 404 for an
// unknown subnet or hotkey, with the message saying what to do.
func (n *Node) registerMarketAPI(mux *http.ServeMux) {
	mux.HandleFunc("GET /subnets", n.withLedger(func(w http.ResponseWriter, r *http.Request, l *ledger.Ledger) {
		ss, err := l.Subnets()
		if ss == nil {
			ss = []ledger.SubnetInfo{}
		}
		writeResult(w, ss, err)
	}))
	mux.HandleFunc("GET /metagraph/{netuid}", n.withLedger(func(w http.ResponseWriter, r *http.Request, l *ledger.Ledger) {
		netuid, err := parseNetUID(r.PathValue("netuid"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
			return
		}
		m, err := l.Metagraph(netuid)
		writeResult(w, m, err)
	}))
	mux.HandleFunc("GET /economy", n.withLedger(func(w http.ResponseWriter, r *http.Request, l *ledger.Ledger) {
		e, err := l.Economy()
		writeResult(w, e, err)
	}))
	mux.HandleFunc("GET /stakes/{address}", n.withLedger(func(w http.ResponseWriter, r *http.Request, l *ledger.Ledger) {
		acct, err := parseColdkey(r.PathValue("address"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
			return
		}
		st, err := l.Stakes(acct)
		if st == nil {
			st = []ledger.StakeInfo{}
		}
		writeResult(w, st, err)
	}))
	mux.HandleFunc("GET /hotkey/{hotkey}", n.withLedger(func(w http.ResponseWriter, r *http.Request, l *ledger.Ledger) {
		h, err := parseHotkey(r.PathValue("hotkey"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
			return
		}
		info, ok, err := l.Hotkey(h)
		if err == nil && !ok {
			err = fmt.Errorf("%w: hotkey %s was never registered; register it with `tao register --netuid N --hotkey NAME`", ledger.ErrUnknownHotkey, h)
		}
		writeResult(w, info, err)
	}))
}

// withLedger answers 404 on a node without a chain, else calls h with the
// node's ledger.
func (n *Node) withLedger(h func(http.ResponseWriter, *http.Request, *ledger.Ledger)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if n.chain == nil {
			writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
			return
		}
		h(w, r, n.chain.ledger)
	}
}

// writeResult writes v, or err with its status: 404 for what the ledger
// does not know, 500 for a failure of the node.
func writeResult(w http.ResponseWriter, v any, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.Is(err, ledger.ErrUnknownSubnet), errors.Is(err, ledger.ErrUnknownHotkey):
		writeJSON(w, http.StatusNotFound, apiError{err.Error()})
	default:
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
	}
}

func parseNetUID(s string) (uint16, error) {
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("netuid %q is not a subnet number (0..65535); list subnets with `tao subnet list`", s)
	}
	return uint16(v), nil
}

// parseColdkey reads a coldkey as its checksummed address (tao1…) or as
// 64 hex digits.
func parseColdkey(s string) (ledger.Account, error) {
	var a ledger.Account
	if addr, err := wallet.ParseAddress(s); err == nil {
		return ledger.AccountOf(addr.PublicKey())
	}
	if err := a.UnmarshalText([]byte(s)); err != nil {
		return a, fmt.Errorf("%q is neither a coldkey address (tao1…) nor 64 hex digits", s)
	}
	return a, nil
}

// ParseHotkey reads a hotkey as 64 hex digits or as its peer ID (12D3Koo…).
func ParseHotkey(s string) (ledger.Hotkey, error) { return parseHotkey(s) }

func parseHotkey(s string) (ledger.Hotkey, error) {
	var h ledger.Hotkey
	if err := h.UnmarshalText([]byte(s)); err == nil {
		return h, nil
	}
	pub, err := wallet.ParseHotkeyAddress(s)
	if err != nil || len(pub) != len(h) {
		return h, fmt.Errorf("hotkey %q is neither 64 hex digits nor a peer ID (12D3KooW…)", s)
	}
	copy(h[:], pub)
	return h, nil
}
