package node

import (
	"context"
	"fmt"
	"net/url"

	"github.com/taonet/tao/ledger"
)

// Subnets returns GET /subnets.
func (c *Client) Subnets(ctx context.Context) ([]ledger.SubnetInfo, error) {
	var s []ledger.SubnetInfo
	err := c.get(ctx, "/subnets", &s)
	return s, err
}

// Metagraph returns GET /metagraph/{netuid}.
func (c *Client) Metagraph(ctx context.Context, netuid uint16) (*ledger.Metagraph, error) {
	var m ledger.Metagraph
	if err := c.get(ctx, fmt.Sprintf("/metagraph/%d", netuid), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Economy returns GET /economy.
func (c *Client) Economy(ctx context.Context) (*ledger.Economy, error) {
	var e ledger.Economy
	if err := c.get(ctx, "/economy", &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// Stakes returns GET /stakes/{address}: a coldkey's stakes (address is
// tao1… or 64 hex digits).
func (c *Client) Stakes(ctx context.Context, address string) ([]ledger.StakeInfo, error) {
	var s []ledger.StakeInfo
	err := c.get(ctx, "/stakes/"+url.PathEscape(address), &s)
	return s, err
}

// Hotkey returns GET /hotkey/{hotkey}: its owner and take (hotkey is 64
// hex digits or a peer ID).
func (c *Client) Hotkey(ctx context.Context, hotkey string) (ledger.HotkeyInfo, error) {
	var h ledger.HotkeyInfo
	err := c.get(ctx, "/hotkey/"+url.PathEscape(hotkey), &h)
	return h, err
}
