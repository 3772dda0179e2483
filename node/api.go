package node

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Status is the node's answer to GET /status.
type Status struct {
	ChainID   string   `json:"chain_id"`
	PeerID    string   `json:"peer_id"`
	Addrs     []string `json:"addrs"`
	Version   string   `json:"version"`
	Roles     []string `json:"roles"`
	Height    uint64   `json:"height"`
	BlockHash string   `json:"block_hash"`
	StateRoot string   `json:"state_root"`
	Syncing   bool     `json:"syncing"`
	// Sync is block and snapshot sync's progress (sync/blocks/1,
	// sync/snapshot/1).
	Sync      SyncStatus `json:"sync"`
	Validator bool       `json:"validator"`
	Round     int32      `json:"round"`
	Consensus string     `json:"consensus,omitempty"` // step@round of the height being decided
	Evidence  int        `json:"evidence"`            // equivocations seen since start
	// Validators is the current validator set (hotkeys as peer IDs, power in rao).
	Validators  []ValidatorInfo `json:"validators,omitempty"`
	TxFee       uint64          `json:"tx_fee_rao"`
	BlockTimeMs uint64          `json:"block_time_ms,omitempty"`
	// LastBlockTimeMs is the header time (unix ms) of block Height.
	LastBlockTimeMs int64 `json:"last_block_time_ms,omitempty"`
	Peers           int   `json:"peers"`
	RoutingTable    int   `json:"routing_table"`
	Announced       int   `json:"announced"`
	UptimeSec       int64 `json:"uptime_s"`
}

// ValidatorInfo is one member of the validator set.
type ValidatorInfo struct {
	PeerID string `json:"peer_id"`
	Power  uint64 `json:"power_rao"`
}

// PeerInfo is one entry of GET /peers.
type PeerInfo struct {
	PeerID    string      `json:"peer_id"`
	Addrs     []string    `json:"addrs"`
	Connected bool        `json:"connected"`
	Score     float64     `json:"gossip_score"`
	Status    *PeerStatus `json:"status,omitempty"`
}

// startHTTP installs the API's routes on the server that Start began
// serving (with serveAPI) when it took the port.
func (n *Node) startHTTP() error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", n.handleReady)
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, n.Status())
	})
	mux.HandleFunc("GET /peers", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, n.PeerInfos())
	})
	n.registerChainAPI(mux)
	n.registerMarketAPI(mux)
	mux.HandleFunc("GET /validator", n.handleValidator)
	mux.HandleFunc("GET /{$}", n.handleWeb)
	n.registerOpenAI(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.reg, promhttp.HandlerOpts{}))
	n.api.Store(mux)
	return nil
}

// serveAPI serves the API once startHTTP installed it. Before that (a
// snapshot restore, a miner's model loading, the wait for its ledger) the
// port is already taken, and a client gets 503 with Retry-After at once
// instead of waiting in the listen queue; /healthz (liveness) answers ok.
func (n *Node) serveAPI(w http.ResponseWriter, r *http.Request) {
	if mux := n.api.Load(); mux != nil {
		mux.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/healthz" {
		w.Write([]byte("ok\n"))
		return
	}
	const msg = "the node is starting (opening or catching up with its ledger, loading its model); try again in a moment"
	w.Header().Set("Retry-After", "1")
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		writeOAIError(w, &oaiError{Status: http.StatusServiceUnavailable, Type: "service_unavailable", Code: "starting", Message: msg})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, apiError{msg})
}

// handleReady answers 200 once the node can serve: it is started and,
// unless it is the first node of its network (no bootstrap list), has at
// least one peer.
func (n *Node) handleReady(w http.ResponseWriter, r *http.Request) {
	if n.host == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	if len(n.cfg.Bootstrap) > 0 && len(n.host.Peers()) == 0 {
		http.Error(w, "no peers yet: check --bootstrap addresses and the network", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// Status reports the node's state.
func (n *Node) Status() Status {
	s := Status{
		ChainID: n.cfg.Network,
		PeerID:  n.PeerID().String(),
		Version: Version,
		Roles:   n.cfg.Roles,
		Addrs:   []string{},
	}
	if n.host != nil {
		for _, a := range n.host.Addrs() {
			s.Addrs = append(s.Addrs, a.String())
		}
		s.Peers = len(n.host.Peers())
		s.RoutingTable = n.host.RoutingTableSize()
	}
	s.Announced = len(n.Announced())
	n.fillChainStatus(&s)
	if !n.started.IsZero() {
		s.UptimeSec = int64(time.Since(n.started).Seconds())
	}
	return s
}

// PeerInfos lists connected peers and announced ones, by peer ID.
func (n *Node) PeerInfos() []PeerInfo {
	byID := map[string]*PeerInfo{}
	if n.host != nil {
		lh := n.host.Libp2p()
		for _, p := range n.host.Peers() {
			pi := &PeerInfo{PeerID: p.String(), Connected: true, Score: n.host.Score(p), Addrs: []string{}}
			for _, c := range lh.Network().ConnsToPeer(p) {
				pi.Addrs = append(pi.Addrs, c.RemoteMultiaddr().String())
			}
			byID[pi.PeerID] = pi
		}
	}
	for _, st := range n.Announced() {
		pi, ok := byID[st.PeerID.String()]
		if !ok {
			pi = &PeerInfo{PeerID: st.PeerID.String(), Addrs: []string{}}
			byID[pi.PeerID] = pi
		}
		st := st
		pi.Status = &st
	}
	out := make([]PeerInfo, 0, len(byID))
	for _, pi := range byID {
		out = append(out, *pi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PeerID < out[j].PeerID })
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
