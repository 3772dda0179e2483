package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
)

// DevnetConfig configures a local network on loopback.
type DevnetConfig struct {
	// Validators is how many of the nodes validate (the first ones). Zero: 4.
	Validators int
	// Nodes is how many nodes to run; those past Validators are full
	// nodes that follow the chain. Zero: Validators + 1.
	Nodes int
	// Dir keeps the nodes' keys and data. Zero: a temporary directory,
	// removed by Close.
	Dir string
	// Procs runs each node as its own OS process (Exe node ...) instead of
	// in this process; a node process that dies is restarted.
	Procs bool
	// Exe is the tao binary for Procs. Zero: this executable.
	Exe string
	// Network is the chain ID. Zero: "dev".
	Network string
	// Miners is how many more nodes serve subnet 1's model (the synthetic
	// default model, made once in the model cache); they come after the
	// Nodes. Zero: none.
	Miners int
	// Home holds the model cache (Home/models). Zero: DefaultHome().
	Home string
	// Model is the GGUF file subnet 1 declares and its miners serve (a
	// local path; the CLI pulls hf:// and http(s) references into the
	// cache first). Zero: the synthetic default model.
	Model string
	// Upstream makes the miners forward to an OpenAI-compatible server
	// instead (Model is then unused). Validators do not run: they cannot
	// verify a model they cannot load.
	Upstream *DevnetUpstream
	// Logger receives the nodes' logs (in-process mode). Nil: discarded.
	Logger *slog.Logger
}

// DevnetUpstream is the OpenAI-compatible server a devnet's miners
// forward to.
type DevnetUpstream struct {
	URL    string // API root including /v1
	Model  string // the model name the server knows
	APIKey string
	// CID declares the weights the server runs. Zero: a CID of the model
	// name, a declaration only this devnet understands.
	CID string
}

// DevnetNode describes one node of a running devnet (devnet.json).
type DevnetNode struct {
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	PeerID  string   `json:"peer_id"`
	Addrs   []string `json:"multiaddrs"`
	API     string   `json:"api"`
	DataDir string   `json:"data_dir"`
}

// DevnetManifest is what Devnet writes to Dir/devnet.json once ready.
type DevnetManifest struct {
	Network string       `json:"network"`
	Dir     string       `json:"dir"`
	Nodes   []DevnetNode `json:"nodes"`
	// Faucet is the coldkey address holding the devnet's TAO; its wallet
	// is "devnet" under Dir/wallets, password in PasswordFile.
	Faucet       string `json:"faucet"`
	PasswordFile string `json:"password_file"`
}

// Devnet is a local network of tao nodes on 127.0.0.1: node 0 is the
// bootstrap node; the others know only its address and find each other
// through the DHT.
type Devnet struct {
	cfg     DevnetConfig
	tempDir bool
	plan    []DevnetNode
	keys    []crypto.PrivKey
	genesis *ledger.Genesis
	faucet  string // the faucet coldkey's address
	infer   devnetInference
	// minerEngine, set by tests before Start, replaces miners' engines.
	minerEngine minerEngineFunc

	planMu sync.Mutex // guards plan's addresses, which a node process that lost its ports changes

	closeOnce sync.Once
	nodes     []*Node
	procs     []*devnetProc
	waitErrs  chan error    // a node process that could not be kept running
	exited    chan struct{} // one per node process that has stopped for good
	closing   atomic.Bool
}

// NewDevnet validates cfg and plans the nodes; it starts nothing.
func NewDevnet(cfg DevnetConfig) (*Devnet, error) {
	if cfg.Validators == 0 {
		cfg.Validators = 4
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = cfg.Validators + 1
	}
	if cfg.Miners < 0 || cfg.Miners > 16 {
		return nil, fmt.Errorf("devnet: --miners %d out of range 0..16", cfg.Miners)
	}
	cfg.Nodes += cfg.Miners
	if cfg.Nodes < 1 || cfg.Nodes > 64 {
		return nil, fmt.Errorf("devnet: --nodes %d out of range 1..64", cfg.Nodes)
	}
	if cfg.Validators < 1 || cfg.Validators > cfg.Nodes {
		return nil, fmt.Errorf("devnet: --validators %d must be between 1 and --nodes (%d)", cfg.Validators, cfg.Nodes)
	}
	if cfg.Network == "" {
		cfg.Network = "dev"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Procs && cfg.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("devnet: find the tao binary for --procs: %w", err)
		}
		cfg.Exe = exe
	}
	return &Devnet{cfg: cfg}, nil
}

// Start writes each node's key and starts the nodes, bootstrap first.
func (d *Devnet) Start(ctx context.Context) error {
	if d.cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "tao-devnet-")
		if err != nil {
			return fmt.Errorf("devnet: %w", err)
		}
		d.cfg.Dir, d.tempDir = dir, true
	}
	if err := d.planNodes(); err != nil {
		return err
	}
	if err := d.prepareInference(); err != nil {
		return err
	}
	if err := d.makeGenesis(); err != nil {
		return err
	}
	if d.cfg.Procs {
		return d.startProcs()
	}
	for i := range d.plan {
		if err := d.startInProcess(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// planNodes creates (or reuses) each node's key and picks its ports.
func (d *Devnet) planNodes() error {
	for i := range d.cfg.Nodes {
		name := "node" + strconv.Itoa(i)
		dir := filepath.Join(d.cfg.Dir, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("devnet: %w", err)
		}
		key, err := loadOrCreateNodeKey(filepath.Join(dir, "node_key"))
		if err != nil {
			return fmt.Errorf("devnet: %s: %w", name, err)
		}
		id, _ := peer.IDFromPrivateKey(key)
		ports, err := freePorts(2)
		if err != nil {
			return fmt.Errorf("devnet: pick ports: %w", err)
		}
		role := "full"
		if i < d.cfg.Validators {
			role = "validator"
		}
		if d.isMiner(i) {
			role = "miner"
		}
		d.keys = append(d.keys, key)
		d.plan = append(d.plan, DevnetNode{
			Name: name, Role: role, PeerID: id.String(), DataDir: dir,
			Addrs: []string{"/ip4/127.0.0.1/tcp/" + strconv.Itoa(ports[0]) + "/p2p/" + id.String()},
			API:   "http://127.0.0.1:" + strconv.Itoa(ports[1]),
		})
	}
	return nil
}

func (d *Devnet) nodeArgs(i int) (listen string, boot []string, httpAddr string) {
	p := d.plan[i]
	ma := p.Addrs[0]
	listen = ma[:len(ma)-len("/p2p/"+p.PeerID)]
	if i > 0 {
		boot = d.plan[0].Addrs
	}
	return listen, boot, p.API[len("http://"):]
}

func (d *Devnet) startInProcess(ctx context.Context, i int) error {
	listen, boot, httpAddr := d.nodeArgs(i)
	n, err := New(Config{
		Network:           d.cfg.Network,
		DataDir:           d.plan[i].DataDir,
		PrivKey:           d.keys[i],
		ListenAddrs:       []string{listen},
		Bootstrap:         boot,
		NoMDNS:            true,
		HTTPAddr:          httpAddr,
		Roles:             []string{d.plan[i].Role},
		Genesis:           d.genesis,
		Subnets:           d.subnets(),
		Miner:             d.minerConfig(i),
		Validator:         d.validatorConfig(i),
		AnnounceInterval:  2 * time.Second,
		DiscoveryInterval: 5 * time.Second,
		Logger:            d.cfg.Logger.With("name", d.plan[i].Name),
	})
	if err != nil {
		return err
	}
	if err := n.Start(ctx); err != nil {
		return fmt.Errorf("devnet: start %s: %w", d.plan[i].Name, err)
	}
	d.nodes = append(d.nodes, n)
	return nil
}

func (d *Devnet) startProcs() error {
	d.waitErrs = make(chan error, len(d.plan))
	d.exited = make(chan struct{}, len(d.plan))
	for i, p := range d.plan {
		pr := &devnetProc{i: i, name: p.Name, log: filepath.Join(p.DataDir, "node.log")}
		if err := d.startProc(pr); err != nil {
			return err
		}
		d.procs = append(d.procs, pr)
		go d.supervise(pr)
	}
	return nil
}

// procArgs is the command line of node i, from the current plan.
func (d *Devnet) procArgs(i int) []string {
	d.planMu.Lock()
	defer d.planMu.Unlock()
	p := d.plan[i]
	listen, boot, httpAddr := d.nodeArgs(i)
	args := []string{"node", "--network", d.cfg.Network, "--data-dir", p.DataDir,
		"--listen", listen, "--http", httpAddr, "--no-mdns", "--role", p.Role,
		"--announce-interval", "2s", "--log-format", "json",
		"--genesis", filepath.Join(d.cfg.Dir, "genesis.json")}
	for _, b := range boot {
		args = append(args, "--bootstrap", b)
	}
	return d.inferenceArgs(i, args)
}

// repickPorts gives node i two new ports: between freePorts and the
// node's bind, another process on the machine took one (parallel test
// binaries, other nodes' outgoing connections).
func (d *Devnet) repickPorts(i int) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	d.planMu.Lock()
	defer d.planMu.Unlock()
	p := &d.plan[i]
	p.Addrs = []string{"/ip4/127.0.0.1/tcp/" + strconv.Itoa(ports[0]) + "/p2p/" + p.PeerID}
	p.API = "http://127.0.0.1:" + strconv.Itoa(ports[1])
	return nil
}

// devnetProc is one node run as its own process.
type devnetProc struct {
	i         int // index in the plan
	name, log string

	mu  sync.Mutex // guards cmd
	cmd *exec.Cmd
}

func (p *devnetProc) signal(sig os.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

func (d *Devnet) startProc(p *devnetProc) error {
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	cmd := exec.Command(d.cfg.Exe, d.procArgs(p.i)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if up := d.cfg.Upstream; up != nil && up.APIKey != "" {
		cmd.Env = append(os.Environ(), devnetUpstreamKeyEnv+"="+up.APIKey)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("devnet: start %s as a process: %w", p.name, err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	return nil
}

// maxRestarts bounds how often a crashing node is restarted.
const maxRestarts = 5

// supervise restarts a node process that dies (kill -9, a crash) while the
// devnet runs, as a service manager would: the node resumes from its data
// directory, WAL and signing guard. After maxRestarts it gives up and
// reports on Exited.
func (d *Devnet) supervise(p *devnetProc) {
	defer func() { d.exited <- struct{}{} }()
	for restarts := 0; ; restarts++ {
		p.mu.Lock()
		cmd := p.cmd
		p.mu.Unlock()
		err := cmd.Wait()
		if d.closing.Load() {
			return
		}
		if restarts == maxRestarts {
			d.waitErrs <- fmt.Errorf("%s exited %d times, last: %v (log: %s)", p.name, restarts+1, err, p.log)
			return
		}
		d.cfg.Logger.Warn("devnet node exited; restarting it", "node", p.name, "err", err)
		if logTail(p.log, "address already in use") {
			if err := d.repickPorts(p.i); err != nil {
				d.waitErrs <- err
				return
			}
			d.cfg.Logger.Warn("devnet node's port was taken; restarting it on new ports", "node", p.name)
		}
		time.Sleep(time.Second)
		if d.closing.Load() {
			return
		}
		if err := d.startProc(p); err != nil {
			d.waitErrs <- err
			return
		}
	}
}

// AwaitReady waits until every node is connected to every other and has
// received every other's signed announcement over gossip, then writes
// Dir/devnet.json.
func (d *Devnet) AwaitReady(ctx context.Context) error {
	want := len(d.plan) - 1
	for {
		ready := 0
		var why string
		d.planMu.Lock()
		plan := slices.Clone(d.plan)
		d.planMu.Unlock()
		for _, p := range plan {
			c := Client{BaseURL: p.API, HTTP: nil}
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			st, err := c.Status(sctx)
			cancel()
			switch {
			case err != nil:
				why = p.Name + ": " + err.Error()
			case st.Peers < want:
				why = fmt.Sprintf("%s has %d of %d peers", p.Name, st.Peers, want)
			case st.Announced < want:
				why = fmt.Sprintf("%s heard %d of %d announcements", p.Name, st.Announced, want)
			case st.Height < 2:
				why = fmt.Sprintf("%s is at block %d", p.Name, st.Height)
			default:
				ready++
			}
		}
		if ready == len(d.plan) {
			return d.writeManifest()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devnet not ready: %s: %w", why, ctx.Err())
		case err := <-d.waitErrs:
			return fmt.Errorf("devnet: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Exited reports a node process that could not be kept running (Procs
// mode only; a node that dies is restarted up to 5 times).
func (d *Devnet) Exited() <-chan error { return d.waitErrs }

// Manifest describes the running nodes.
func (d *Devnet) Manifest() DevnetManifest {
	d.planMu.Lock()
	defer d.planMu.Unlock()
	return DevnetManifest{Network: d.cfg.Network, Dir: d.cfg.Dir, Nodes: slices.Clone(d.plan), Faucet: d.faucet,
		PasswordFile: filepath.Join(d.cfg.Dir, devnetPasswordFile)}
}

func (d *Devnet) writeManifest() error {
	b, err := json.MarshalIndent(d.Manifest(), "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(d.cfg.Dir, "devnet.json"), append(b, '\n'), 0o644)
}

// Close stops every node (interrupting processes, then killing those that
// do not exit within 10 s) and removes a temporary Dir.
func (d *Devnet) Close() error {
	var errs []error
	d.closeOnce.Do(func() {
		for i := len(d.nodes) - 1; i >= 0; i-- {
			errs = append(errs, d.nodes[i].Close())
		}
		d.closing.Store(true)
		for _, p := range d.procs {
			p.signal(os.Interrupt)
		}
		deadline := time.After(10 * time.Second)
		for range d.procs {
			select {
			case <-d.exited:
			case <-deadline:
				for _, p := range d.procs {
					p.signal(os.Kill)
				}
			}
		}
		if d.tempDir {
			errs = append(errs, os.RemoveAll(d.cfg.Dir))
		}
	})
	return errors.Join(errs...)
}

// freePorts asks the system for n free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// logTail reports whether the last 4 KiB of the log at path contain s.
func logTail(path, s string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 4096)
	if st, err := f.Stat(); err == nil && st.Size() > int64(len(buf)) {
		_, _ = f.Seek(st.Size()-int64(len(buf)), io.SeekStart)
	}
	n, _ := io.ReadFull(f, buf)
	return strings.Contains(string(buf[:n]), s)
}
