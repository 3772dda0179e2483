package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxGenesisFile bounds a genesis file read from disk.
const maxGenesisFile = 64 << 20

// ParseGenesis decodes a genesis from JSON and validates it. Unknown
// fields are errors, so a misspelt parameter is not silently ignored.
func ParseGenesis(r io.Reader) (*Genesis, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxGenesisFile))
	dec.DisallowUnknownFields()
	var g Genesis
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadGenesis, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the genesis object", ErrBadGenesis)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// LoadGenesis reads and validates the genesis file at path.
func LoadGenesis(path string) (*Genesis, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load genesis: %w", err)
	}
	defer f.Close()
	g, err := ParseGenesis(f)
	if err != nil {
		return nil, fmt.Errorf("load genesis %s: %w", path, err)
	}
	return g, nil
}

// Save validates g and writes it to path as indented JSON, atomically (a
// temporary file renamed over path).
func (g *Genesis) Save(path string) error {
	if err := g.Validate(); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("save genesis: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".genesis-*.json")
	if err != nil {
		return fmt.Errorf("save genesis: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("save genesis %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save genesis %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save genesis %s: %w", path, err)
	}
	return nil
}
