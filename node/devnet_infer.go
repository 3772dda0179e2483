package node

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/inference"
)

// devnetNetUID is the subnet a devnet declares and its miners serve.
const devnetNetUID = 1

// devnetUpstreamKeyEnv carries an upstream's API key to miner processes.
const devnetUpstreamKeyEnv = "TAO_DEVNET_UPSTREAM_KEY"

// devnetInference is a devnet's subnet: the default synthetic model, made
// once in the model cache, served by the miner nodes.
type devnetInference struct {
	modelPath string
	modelCID  string
}

// minerEngineFunc gives node i's miner an engine (nil: the builtin engine
// on the default model). Tests set Devnet.minerEngine to put a
// misbehaving miner on the devnet.
type minerEngineFunc func(i int) inference.Engine

// prepareInference finds the model the miners serve: an upstream server's
// (declared by CID), the configured GGUF file, or the default model
// (written once).
func (d *Devnet) prepareInference() error {
	if d.cfg.Miners == 0 {
		return nil
	}
	if up := d.cfg.Upstream; up != nil {
		id := up.CID
		if id == "" {
			id = inference.CIDOf([]byte("openai-upstream:" + up.Model)).String()
		} else if _, err := cid.Decode(id); err != nil {
			return fmt.Errorf("devnet: upstream model CID %q: %w", id, err)
		}
		d.infer = devnetInference{modelCID: id}
		return nil
	}
	if d.cfg.Model != "" && d.cfg.Model != "default" {
		id, err := inference.FileCID(d.cfg.Model)
		if err != nil {
			return fmt.Errorf("devnet: model %s: %w", d.cfg.Model, err)
		}
		d.infer = devnetInference{modelPath: d.cfg.Model, modelCID: id.String()}
		return nil
	}
	path, id, err := DefaultModel(d.cfg.Home)
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	d.infer = devnetInference{modelPath: path, modelCID: id.String()}
	return nil
}

// upstreamEngine returns a miner's engine for the configured upstream.
func (d *Devnet) upstreamEngine() (inference.Engine, error) {
	up := d.cfg.Upstream
	id, err := cid.Decode(d.infer.modelCID)
	if err != nil {
		return nil, err
	}
	return inference.NewUpstream(inference.UpstreamOptions{BaseURL: up.URL, Model: up.Model, APIKey: up.APIKey, CID: id})
}

// isMiner reports whether plan entry i is a miner: the last Miners nodes.
func (d *Devnet) isMiner(i int) bool { return d.cfg.Miners > 0 && i >= d.cfg.Nodes-d.cfg.Miners }

// subnets is what every devnet node declares in its configuration; subnet
// 1 is also on the chain from genesis, which routing prefers.
func (d *Devnet) subnets() map[uint16]SubnetConfig {
	if d.infer.modelCID == "" {
		return nil
	}
	return map[uint16]SubnetConfig{devnetNetUID: {Model: d.infer.modelCID}}
}

// minerConfig makes node i a miner of the devnet's subnet, or returns nil.
func (d *Devnet) minerConfig(i int) *MinerConfig {
	if !d.isMiner(i) {
		return nil
	}
	// Miners share the machine's cores; one thread each keeps them from
	// fighting over them.
	mc := &MinerConfig{NetUID: devnetNetUID, Model: d.infer.modelPath, Threads: 1, HeartbeatInterval: 2 * time.Second}
	if d.minerEngine != nil {
		mc.Engine = d.minerEngine(i)
	} else if d.cfg.Upstream != nil {
		if eng, err := d.upstreamEngine(); err == nil {
			mc.Engine = eng
		}
	}
	return mc
}

// isSubnetValidator reports whether plan entry i validates subnet 1: the
// validator nodes registered and staked on it at genesis (node 0 holds
// the owner hotkey, uid 0, without stake, so its weights would not count).
func (d *Devnet) isSubnetValidator(i int) bool {
	return d.infer.modelCID != "" && d.cfg.Upstream == nil && i >= 1 && i < d.cfg.Validators && !d.isMiner(i)
}

// validatorConfig makes node i a validator of the devnet's subnet, or
// returns nil. It verifies on one thread, as the miners serve.
func (d *Devnet) validatorConfig(i int) *ValidatorConfig {
	if !d.isSubnetValidator(i) {
		return nil
	}
	return &ValidatorConfig{NetUID: devnetNetUID, Model: d.infer.modelPath, Threads: 1}
}

// inferenceArgs adds the subnet declaration to a node process's arguments
// and turns a miner's `node` command into `miner`, a subnet validator's
// into `validator`.
func (d *Devnet) inferenceArgs(i int, args []string) []string {
	if d.infer.modelCID == "" {
		return args
	}
	args = append(args, "--subnet", strconv.Itoa(devnetNetUID)+"="+d.infer.modelCID)
	if d.isMiner(i) && len(args) > 0 && args[0] == "node" {
		// The devnet's miners stay on the CPU, as in-process ones do: three
		// of them share the machine, and its figures do not depend on a GPU.
		miner := []string{"miner", "--netuid", strconv.Itoa(devnetNetUID), "--model", d.infer.modelPath,
			"--threads", "1", "--device", "cpu", "--heartbeat-interval", "2s"}
		if up := d.cfg.Upstream; up != nil {
			miner = []string{"miner", "--netuid", strconv.Itoa(devnetNetUID), "--engine", "openai", "--upstream", up.URL,
				"--upstream-model", up.Model, "--model-cid", d.infer.modelCID, "--heartbeat-interval", "2s"}
			if up.APIKey != "" {
				miner = append(miner, "--upstream-key-env", devnetUpstreamKeyEnv)
			}
		}
		args = append(miner, args[1:]...)
	}
	if d.isSubnetValidator(i) && len(args) > 0 && args[0] == "node" {
		args = append([]string{"validator", "--netuid", strconv.Itoa(devnetNetUID), "--model", d.infer.modelPath,
			"--threads", "1"}, args[1:]...)
	}
	return args
}

// Gateway returns the node a user should send inference requests to: the
// first node that is not a miner.
func (d *Devnet) Gateway() DevnetNode {
	d.planMu.Lock()
	defer d.planMu.Unlock()
	for i, p := range d.plan {
		if !d.isMiner(i) {
			return p
		}
	}
	return d.plan[0]
}

// AwaitInference waits until the gateway answers a chat completion routed
// to a miner: the subnet works end to end. A devnet without miners
// returns at once.
func (d *Devnet) AwaitInference(ctx context.Context) error {
	if d.cfg.Miners == 0 {
		return nil
	}
	c := Client{BaseURL: d.Gateway().API}
	var last error
	for {
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		zero := 0.0
		_, err := c.Infer(rctx, InferRequest{NetUID: devnetNetUID, Prompt: "Hello", Chat: true, MaxTokens: 4, Temperature: &zero}, nil)
		cancel()
		if err == nil {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devnet: subnet %d does not answer yet: %v: %w", devnetNetUID, last, ctx.Err())
		case err := <-d.waitErrs:
			return fmt.Errorf("devnet: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
