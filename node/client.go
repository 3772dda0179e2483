package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client reads a running node's local API. The zero value talks to
// DefaultHTTPAddr.
type Client struct {
	// BaseURL is the node's API URL. Zero: "http://127.0.0.1:8420".
	BaseURL string
	// HTTP is the client used. Nil: a client with a 10 s timeout.
	HTTP *http.Client
}

// maxAPIResponse bounds what the client reads from a node.
const maxAPIResponse = 16 << 20

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return "http://" + DefaultHTTPAddr
	}
	return c.BaseURL
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return &http.Client{Timeout: 10 * time.Second}
	}
	return c.HTTP
}

func (c *Client) get(ctx context.Context, path string, v any) error {
	base := strings.TrimRight(c.baseURL(), "/")
	hc := c.httpClient()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fmt.Errorf("bad API URL %q: %w", base, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("no tao node answers at %s (%v); start one with `tao node` or pass --api URL", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return fmt.Errorf("read %s%s: %w", base, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s%s: %s", base, path, e.Error)
		}
		return fmt.Errorf("%s%s: %s: %s", base, path, resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s%s answered something that is not a tao API response: %w", base, path, err)
	}
	return nil
}

// Status returns GET /status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.get(ctx, "/status", &s)
	return s, err
}

// Peers returns GET /peers.
func (c *Client) Peers(ctx context.Context) ([]PeerInfo, error) {
	var p []PeerInfo
	err := c.get(ctx, "/peers", &p)
	return p, err
}
