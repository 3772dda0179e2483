package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Account returns GET /account/{address}.
func (c *Client) Account(ctx context.Context, address string) (AccountInfo, error) {
	var a AccountInfo
	err := c.get(ctx, "/account/"+url.PathEscape(address), &a)
	return a, err
}

// Tx returns GET /tx/{id}.
func (c *Client) Tx(ctx context.Context, id string) (TxInfo, error) {
	var t TxInfo
	err := c.get(ctx, "/tx/"+url.PathEscape(id), &t)
	return t, err
}

// SubmitTx posts an encoded transaction (POST /tx).
func (c *Client) SubmitTx(ctx context.Context, encoded []byte) (TxInfo, error) {
	base := strings.TrimRight(c.baseURL(), "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/tx", bytes.NewReader(encoded))
	if err != nil {
		return TxInfo{}, err
	}
	req.Header.Set("Content-Type", "application/cbor")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return TxInfo{}, fmt.Errorf("no tao node answers at %s (%v); start one with `tao node` or pass --api URL", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return TxInfo{}, err
	}
	if resp.StatusCode != http.StatusAccepted {
		var e apiError
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return TxInfo{}, fmt.Errorf("transaction rejected: %s", e.Error)
		}
		return TxInfo{}, fmt.Errorf("POST /tx: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var t TxInfo
	if err := json.Unmarshal(body, &t); err != nil {
		return TxInfo{}, fmt.Errorf("POST /tx answered something that is not a tao API response: %w", err)
	}
	return t, nil
}
