package inference

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// The errors of a pull: each says what failed and what to do about it.

// requestError is the error of a request that got no answer: for a host
// that cannot be reached, ErrUnreachable with what to check.
func requestError(rawURL string, have int64, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	resume := "run again"
	if have > 0 {
		resume = fmt.Sprintf("run again to resume from the %d bytes downloaded", have)
	}
	if unreachable(err) {
		return fmt.Errorf("pull %s: %w: %w: check the URL and this machine's network or proxy (HTTPS_PROXY is used when set), then %s; without internet, copy the .gguf file to this machine and give its path instead of the URL",
			rawURL, ErrUnreachable, err, resume)
	}
	return fmt.Errorf("pull %s: %w: %s", rawURL, err, resume)
}

// unreachable reports whether err failed to reach the host: DNS, the TCP
// or proxy connection, or the TLS handshake.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var host x509.HostnameError
	// A timeout before any answer (connecting, or the TLS handshake) that
	// is not the caller's own deadline.
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout() &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
	return timeout || errors.As(err, &dns) ||
		errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") ||
		errors.As(err, &cert) || errors.As(err, &rec) || errors.As(err, &ua) || errors.As(err, &host)
}

// interrupted is the error of a body cut short after done bytes are on
// disk in partial; an empty partial file is removed, and so is one that
// is not resumable (no validator to resume it safely with).
func interrupted(rawURL, partial string, done int64, resumable bool, err error) error {
	switch {
	case done == 0:
		removePartial(partial)
		return fmt.Errorf("pull %s: %w: run again", rawURL, err)
	case !resumable:
		removePartial(partial)
		return fmt.Errorf("pull %s: %w after %d bytes (partial download discarded: the server sends no strong ETag or Last-Modified to resume it safely with): run again to download the file from the start", rawURL, err, done)
	}
	return fmt.Errorf("pull %s: %w after %d bytes: run again to resume", rawURL, err, done)
}

// statusError names the fix for an HTTP error status.
func statusError(rawURL string, resp *http.Response, token bool) error {
	var fix string
	hub := onHub(rawURL)
	switch {
	case resp.StatusCode == http.StatusNotFound && hub:
		fix = "check the owner, repository, revision and file name in the URL"
	case resp.StatusCode == http.StatusNotFound:
		fix = "the server has no file at this path: check the URL"
	case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && !hub:
		fix = "the server refused access, and tao sends a token only to the Hugging Face hub ($HF_TOKEN): download the file with that server's credentials and pull its local path"
	case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && token:
		fix = "the access token in HF_TOKEN was refused or cannot read this repository: accept the model's terms on its page with the token's account, or check the token; check the URL too"
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		fix = "a private or gated repository needs an access token: set HF_TOKEN to a Hugging Face token (huggingface.co/settings/tokens) whose account has accepted the model's terms; check the URL too (the hub answers 401 for a repository that does not exist)"
	case resp.StatusCode >= 500:
		fix = "the server failed: run again later"
	default:
		fix = "check the URL"
	}
	return fmt.Errorf("pull %s: the server answered %s: %s", rawURL, resp.Status, fix)
}
