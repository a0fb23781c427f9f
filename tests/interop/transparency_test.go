// Package interop checks Rotor's provable history with verifiers that no one
// on the Rotor project wrote: Go's golang.org/x/mod/sumdb/note for the signed
// checkpoints (C2SP signed-note), transparency-dev/formats for the checkpoint
// text (C2SP tlog-checkpoint) and transparency-dev/merkle for the RFC 9162
// inclusion and consistency proofs. It starts a real rotord on loopback.
package interop

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

const origin = "rotor.test/interop"

type rotord struct {
	url   string
	token string
	cmd   *exec.Cmd
}

func binDir(t *testing.T) string {
	dir := os.Getenv("ROTOR_BIN_DIR")
	if dir == "" {
		t.Fatal("ROTOR_BIN_DIR must name the directory holding rotord and rotorctl")
	}
	return dir
}

// startRotord creates a checkpoint key with rotorctl, then runs rotord with it.
func startRotord(t *testing.T) (*rotord, string) {
	dir := t.TempDir()
	bin := binDir(t)
	keyFile := filepath.Join(dir, "checkpoint.key")
	out, err := exec.Command(filepath.Join(bin, "rotorctl"), "keys", "init", "--name", origin,
		"--out", keyFile).Output()
	if err != nil {
		t.Fatalf("rotorctl keys init: %v", err)
	}
	verifierKey := strings.TrimSpace(string(out))
	token := "interop-admin-token-0123456789"
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(tokensFileLine(token)), 0o600); err != nil {
		t.Fatal(err)
	}
	portFile := filepath.Join(dir, "url")
	cmd := exec.Command(filepath.Join(bin, "rotord"), "--data", filepath.Join(dir, "data"),
		"--listen", "127.0.0.1:0", "--port-file", portFile, "--tokens", tokens,
		"--checkpoint-key", keyFile, "--checkpoint-every-events", "1000000",
		"--checkpoint-every", "24h")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting rotord: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(60 * time.Second); ; {
		if b, err := os.ReadFile(portFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return &rotord{url: strings.TrimSpace(string(b)), token: token, cmd: cmd}, verifierKey
		}
		if time.Now().After(deadline) {
			t.Fatal("rotord did not write its URL within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tokensFileLine is one admin line of rotord's tokens file, which holds the
// SHA-256 digest of each token, never the token.
func tokensFileLine(token string) string {
	return fmt.Sprintf("sha256:%x interop-admin admin\n", sha256.Sum256([]byte(token)))
}

func (r *rotord) do(t *testing.T, method, path, body string) []byte {
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// appendEvents records `n` gateway settings, one event each.
func (r *rotord) appendEvents(t *testing.T, first, n int) {
	for i := first; i < first+n; i++ {
		r.do(t, "PUT", fmt.Sprintf("/v1/gateways/gw-%04d", i), `{"auto_refresh": false}`)
	}
}

// signedCheckpoint asks rotord to sign now and opens the note independently.
func (r *rotord) signedCheckpoint(t *testing.T, verifiers note.Verifiers) log.Checkpoint {
	msg := r.do(t, "POST", "/v1/checkpoints", "{}")
	n, err := note.Open(msg, verifiers)
	if err != nil {
		t.Fatalf("x/mod/sumdb/note refuses rotord's checkpoint: %v\n%s", err, msg)
	}
	var c log.Checkpoint
	if _, err := c.Unmarshal([]byte(n.Text)); err != nil {
		t.Fatalf("transparency-dev/formats refuses the checkpoint text: %v\n%s", err, n.Text)
	}
	if c.Origin != origin {
		t.Fatalf("origin %q, want %q", c.Origin, origin)
	}
	return c
}

func hashes(t *testing.T, list []string) [][]byte {
	var out [][]byte
	for _, h := range list {
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(b) != 32 {
			t.Fatalf("bad hash %q", h)
		}
		out = append(out, b)
	}
	return out
}

func TestCheckpointsAndProofsVerifyIndependently(t *testing.T) {
	r, vkey := startRotord(t)
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("x/mod/sumdb/note refuses rotorctl's verifier key %q: %v", vkey, err)
	}
	verifiers := note.VerifierList(verifier)

	r.appendEvents(t, 0, 37)
	first := r.signedCheckpoint(t, verifiers)
	if first.Size < 37 {
		t.Fatalf("checkpoint size %d, want at least 37", first.Size)
	}

	for _, seq := range []uint64{1, 2, 17, first.Size} {
		var p struct {
			LeafIndex uint64   `json:"leaf_index"`
			TreeSize  uint64   `json:"tree_size"`
			Canonical string   `json:"canonical_base64"`
			Proof     []string `json:"proof"`
		}
		body := r.do(t, "GET", fmt.Sprintf("/v1/proofs/inclusion?sequence=%d&tree_size=%d", seq, first.Size), "")
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		leafData, err := base64.StdEncoding.DecodeString(p.Canonical)
		if err != nil {
			t.Fatal(err)
		}
		leaf := rfc6962.DefaultHasher.HashLeaf(leafData)
		path := hashes(t, p.Proof)
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leaf, path, first.Hash); err != nil {
			t.Fatalf("inclusion of sequence %d: %v", seq, err)
		}
		if len(path) > 0 {
			path[0][0] ^= 1
			if proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leaf, path, first.Hash) == nil {
				t.Fatalf("a tampered inclusion proof of sequence %d verified", seq)
			}
		}
	}

	r.appendEvents(t, 100, 300)
	second := r.signedCheckpoint(t, verifiers)
	var c struct {
		Proof []string `json:"proof"`
	}
	body := r.do(t, "GET", fmt.Sprintf("/v1/proofs/consistency?from=%d&to=%d", first.Size, second.Size), "")
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	path := hashes(t, c.Proof)
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, first.Size, second.Size, path, first.Hash, second.Hash); err != nil {
		t.Fatalf("consistency %d -> %d: %v", first.Size, second.Size, err)
	}
	path[len(path)-1][5] ^= 1
	if proof.VerifyConsistency(rfc6962.DefaultHasher, first.Size, second.Size, path, first.Hash, second.Hash) == nil {
		t.Fatal("a tampered consistency proof verified")
	}

	// A checkpoint whose text was altered no longer opens.
	msg := r.do(t, "GET", "/v1/checkpoint", "")
	forged := bytes.Replace(msg, []byte(fmt.Sprintf("\n%d\n", second.Size)), []byte(fmt.Sprintf("\n%d\n", second.Size+1)), 1)
	if _, err := note.Open(forged, verifiers); err == nil {
		t.Fatal("an altered checkpoint opened")
	}
}
