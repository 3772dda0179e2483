package node

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/market"
)

// The network page (GET /): what an operator wants at a glance — this
// node, the chain, the validator set, peers, subnets with their live
// miners, and recent blocks. Plain HTML that refreshes itself; no script.

type webBlock struct {
	Height   uint64
	Time     string
	Txs      int
	Proposer string
	ID       string
}

type webMiner struct {
	Peer                        string
	Queue, Free, P50Ms, TokPerS uint32
	GPU                         string
}

type webSubnet struct {
	NetUID uint16
	Name   string
	Model  string
	Miners []webMiner
	Chain  *webChainSubnet // nil: declared by configuration only
}

// webChainSubnet is a subnet's economy and metagraph from the ledger.
type webChainSubnet struct {
	Name                                      string
	Price, PoolTAO, PoolAlpha, Emission, Burn string
	Epoch, NextEpoch                          uint64
	Neurons                                   []webNeuron
}

// webNeuron is one metagraph row.
type webNeuron struct {
	UID                                     uint16
	Peer                                    string
	Stake, Emission                         string
	Incentive, Dividends, Consensus, VTrust string
	Permit, Live                            bool
	LastUpdate, Weights                     uint64 // block of the last weights; number of weights
}

type webPage struct {
	Status  Status
	Peers   []PeerInfo
	Subnets []webSubnet
	Blocks  []webBlock
	Now     string
}

var webTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"tao": func(rao uint64) string { return market.Rao(rao).String() },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>tao · {{.Status.ChainID}} · block {{.Status.Height}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2230;background:#f7f8fb}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}
.sub{color:#667}table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0001}
th,td{padding:5px 10px;border-bottom:1px solid #e6e8ef;text-align:left;font-variant-numeric:tabular-nums}
th{background:#eef0f6;font-weight:600}code{font-size:12px}.ok{color:#127a3a}.warn{color:#a15c00}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;padding:10px 14px;box-shadow:0 1px 2px #0001;min-width:140px}
.card b{display:block;font-size:20px}
</style></head><body>
<h1>tao network <code>{{.Status.ChainID}}</code></h1>
<div class="sub">node <code>{{.Status.PeerID}}</code> · roles {{range .Status.Roles}}{{.}} {{end}}· version {{.Status.Version}} · {{.Now}}</div>
<h2>Chain</h2>
<div class="cards">
<div class="card">height<b>{{.Status.Height}}</b></div>
<div class="card">sync<b>{{if .Status.Syncing}}<span class="warn">catching up</span>{{else}}<span class="ok">in sync</span>{{end}}</b></div>
<div class="card">consensus<b>{{.Status.Consensus}}</b></div>
<div class="card">peers<b>{{.Status.Peers}}</b></div>
<div class="card">validators<b>{{len .Status.Validators}}</b></div>
</div>
<p class="sub">block <code>{{.Status.BlockHash}}</code><br>state root <code>{{.Status.StateRoot}}</code></p>
{{if .Status.Validators}}<h2>Validators</h2>
<table><tr><th>hotkey (peer ID)</th><th>power (TAO)</th></tr>
{{range .Status.Validators}}<tr><td><code>{{.PeerID}}</code></td><td>{{tao .Power}}</td></tr>{{end}}</table>{{end}}
<h2>Subnets</h2>
{{if not .Subnets}}<p class="sub">No subnet declared on this node.</p>{{end}}
{{range .Subnets}}<p><b>{{.Name}}</b> · model <code>{{.Model}}</code> · {{len .Miners}} live miner(s)</p>
{{with .Chain}}<p class="sub">price {{.Price}} τ/α · pool {{.PoolTAO}} τ / {{.PoolAlpha}} α · alpha emission {{.Emission}} α/block · registration burn {{.Burn}} τ · epoch {{.Epoch}}, next at block {{.NextEpoch}}</p>
<table><tr><th>uid</th><th>hotkey</th><th>live</th><th>stake α</th><th>incentive</th><th>dividends</th><th>consensus</th><th>v-trust</th><th>emission α</th><th>permit</th><th>weights (last set)</th></tr>
{{range .Neurons}}<tr><td>{{.UID}}</td><td><code>{{.Peer}}</code></td><td>{{if .Live}}<span class="ok">serving</span>{{end}}</td><td>{{.Stake}}</td><td>{{.Incentive}}</td><td>{{.Dividends}}</td><td>{{.Consensus}}</td><td>{{.VTrust}}</td><td>{{.Emission}}</td><td>{{if .Permit}}✓{{end}}</td><td>{{if .Weights}}{{.Weights}} at block {{.LastUpdate}}{{end}}</td></tr>{{end}}</table>{{end}}
{{if .Miners}}<table><tr><th>miner</th><th>queue</th><th>free slots</th><th>TTFT p50 (ms)</th><th>tok/s</th><th>GPU</th></tr>
{{range .Miners}}<tr><td><code>{{.Peer}}</code></td><td>{{.Queue}}</td><td>{{.Free}}</td><td>{{.P50Ms}}</td><td>{{.TokPerS}}</td><td>{{.GPU}}</td></tr>{{end}}</table>{{end}}{{end}}
<h2>Recent blocks</h2>
{{if not .Blocks}}<p class="sub">This node follows no chain.</p>{{else}}
<table><tr><th>height</th><th>time (UTC)</th><th>txs</th><th>proposer</th><th>block</th></tr>
{{range .Blocks}}<tr><td>{{.Height}}</td><td>{{.Time}}</td><td>{{.Txs}}</td><td><code>{{.Proposer}}</code></td><td><code>{{.ID}}</code></td></tr>{{end}}</table>{{end}}
<h2>Peers</h2>
<table><tr><th>peer</th><th>connected</th><th>roles</th><th>height</th><th>gossip score</th></tr>
{{range .Peers}}<tr><td><code>{{.PeerID}}</code></td><td>{{.Connected}}</td><td>{{if .Status}}{{range .Status.Roles}}{{.}} {{end}}{{end}}</td><td>{{if .Status}}{{.Status.Height}}{{end}}</td><td>{{printf "%.1f" .Score}}</td></tr>{{end}}</table>
<p class="sub">JSON: <a href="/status">/status</a> · <a href="/peers">/peers</a> · <a href="/v1/models">/v1/models</a> · <a href="/metrics">/metrics</a></p>
</body></html>
`))

func (n *Node) handleWeb(w http.ResponseWriter, r *http.Request) {
	p := webPage{Status: n.Status(), Peers: n.PeerInfos(), Now: time.Now().UTC().Format("2006-01-02 15:04:05 UTC")}
	if l := n.Ledger(); l != nil {
		for h := l.Height(); h >= 1 && len(p.Blocks) < 10; h-- {
			b, _, err := l.Block(h)
			if err != nil {
				break
			}
			wb := webBlock{Height: h, Time: time.UnixMilli(b.Header.Time).UTC().Format("15:04:05.000"), Txs: len(b.Txs), Proposer: shortPeer(b.Header.Proposer)}
			if id, err := b.ID(); err == nil {
				wb.ID = shortCID(id)
			}
			p.Blocks = append(p.Blocks, wb)
		}
	}
	if n.rt != nil {
		for _, netuid := range n.Subnets() {
			s := webSubnet{NetUID: netuid, Name: ModelName(netuid)}
			if info, ok := n.rt.reg.Subnet(netuid); ok {
				s.Model = info.ModelCID.String()
			}
			live := map[peer.ID]bool{}
			for _, c := range n.rt.client.Live(netuid) {
				live[c.Peer] = true
				m := webMiner{Peer: c.Peer.String()}
				if hb := c.Heartbeat; hb != nil {
					m.Queue, m.Free, m.P50Ms, m.TokPerS = hb.QueueDepth, hb.FreeSlots, hb.LatencyP50Ms, hb.TokensPerSec
					if hb.GPUMemTotalMiB > 0 {
						m.GPU = formatGPU(hb.GPUMemFreeMiB, hb.GPUMemTotalMiB, hb.GPUUtilPct)
					}
				}
				s.Miners = append(s.Miners, m)
			}
			if s.Chain = n.webMetagraph(netuid, live); s.Chain != nil && s.Chain.Name != "" {
				s.Name = fmt.Sprintf("%s (subnet %d)", s.Chain.Name, netuid)
			}
			p.Subnets = append(p.Subnets, s)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := webTemplate.Execute(w, p); err != nil {
		n.log.Debug("render page", "err", err)
	}
}

func formatGPU(free, total uint32, util uint8) string {
	return fmt.Sprintf("%d/%d MiB, %d%%", total-free, total, util)
}

func shortPeer(pub []byte) string {
	pk, err := crypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return "?"
	}
	id, err := peer.IDFromPublicKey(pk)
	if err != nil {
		return "?"
	}
	return shortID(id)
}

func shortCID(c cid.Cid) string {
	s := c.String()
	if len(s) > 16 {
		return s[:8] + "…" + s[len(s)-8:]
	}
	return s
}

// webMetagraph returns a chain subnet's rows for the page, or nil.
func (n *Node) webMetagraph(netuid uint16, live map[peer.ID]bool) *webChainSubnet {
	l := n.Ledger()
	if l == nil {
		return nil
	}
	m, err := l.Metagraph(netuid)
	if err != nil {
		return nil
	}
	frac := func(v uint16) string { return fmt.Sprintf("%.4f", float64(v)/65535) }
	sn := m.Subnet
	c := &webChainSubnet{
		Name: sn.Name, Price: sn.Price.Rao.String(), PoolTAO: sn.PoolTAO.String(), PoolAlpha: sn.PoolAlpha.String(),
		Emission: sn.AlphaEmission.String(), Burn: sn.Burn.String(), Epoch: sn.EpochIndex, NextEpoch: sn.NextEpoch,
	}
	for _, nr := range m.Neurons {
		row := webNeuron{
			UID: nr.UID, Peer: shortPeer(nr.Hotkey[:]), Stake: nr.Stake.String(), Emission: nr.Emission.String(),
			Incentive: frac(nr.Incentive), Dividends: frac(nr.Dividends), Consensus: frac(nr.Consensus), VTrust: frac(nr.ValidatorTrust),
			Permit: nr.Permit, LastUpdate: nr.LastUpdate, Weights: uint64(len(nr.Weights)),
		}
		if id := peerOfHotkey(nr.Hotkey); id != "" {
			row.Live = live[id]
		}
		c.Neurons = append(c.Neurons, row)
	}
	return c
}
