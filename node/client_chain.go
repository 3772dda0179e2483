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

	"github.com/taonet/tao/protocols"
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
	var t TxInfo
	err := c.postCBOR(ctx, "/tx", encoded, &t)
	return t, err
}

// SubmitTxs posts encoded transactions as one batch (POST /txs), at most
// protocols.MaxTxBatchLen of them; the node admits them in order. The
// answer has one TxInfo per transaction; those the node refused have
// State "rejected" and an Error.
func (c *Client) SubmitTxs(ctx context.Context, encoded [][]byte) (TxBatchInfo, error) {
	var t TxBatchInfo
	b, err := protocols.EncodeTxBatch(encoded)
	if err != nil {
		return t, err
	}
	err = c.postCBOR(ctx, "/txs", b, &t)
	return t, err
}

// postCBOR posts body to path and decodes the 202 answer into v.
func (c *Client) postCBOR(ctx context.Context, path string, payload []byte, v any) error {
	base := strings.TrimRight(c.baseURL(), "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/cbor")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("no tao node answers at %s (%v); start one with `tao node` or pass --api URL", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		var e apiError
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("transaction rejected: %s", e.Error)
		}
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("POST %s answered something that is not a tao API response: %w", path, err)
	}
	return nil
}

// Block returns GET /block/{height}; height "latest" (or "") is the tip.
func (c *Client) Block(ctx context.Context, height string) (BlockInfo, error) {
	if height == "" {
		height = "latest"
	}
	var b BlockInfo
	err := c.get(ctx, "/block/"+url.PathEscape(height), &b)
	return b, err
}
