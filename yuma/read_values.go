package yuma

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// parser reads the §9 input object token by token, so that every value can
// be checked against its exact JSON type and integer range and errors can
// name the value's path.
type parser struct {
	dec *json.Decoder
}

func newParser(r io.Reader) *parser {
	d := json.NewDecoder(r)
	d.UseNumber()
	return &parser{dec: d}
}

// next returns the next token. Syntax errors and a premature end become an
// "(input)" InputError; other errors are the reader's and are wrapped.
func (p *parser) next() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, inputErr("(input)", "not valid JSON: %s (offset %d)", se.Error(), se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, inputErr("(input)", "unexpected end of input")
	}
	return nil, fmt.Errorf("read input: %w", err)
}

// kind names a token's JSON type for error messages.
func kind(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "object"
	}
	return "unknown"
}

// number converts a number token to an integer in [lo, hi]. The text must be
// a JSON integer: no fraction and no exponent.
func number(field string, tok json.Token, lo int64, hi uint64, typ string) (int64, uint64, error) {
	s, ok := tok.(json.Number)
	if !ok {
		return 0, 0, inputErr(field, "expected %s, got %s", typ, kind(tok))
	}
	if strings.ContainsAny(string(s), ".eE") {
		return 0, 0, inputErr(field, "expected %s, got %s (no fraction or exponent allowed)", typ, s)
	}
	if strings.HasPrefix(string(s), "-") {
		v, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || v < lo {
			return 0, 0, inputErr(field, "%s is out of range for %s", s, typ)
		}
		return v, 0, nil
	}
	v, err := strconv.ParseUint(string(s), 10, 64)
	if err != nil || v > hi {
		return 0, 0, inputErr(field, "%s is out of range for %s", s, typ)
	}
	if v <= math.MaxInt64 {
		return int64(v), v, nil
	}
	return 0, v, nil
}

// uint reads an unsigned integer of at most max.
func (p *parser) uint(field string, max uint64, typ string) (uint64, error) {
	tok, err := p.next()
	if err != nil {
		return 0, err
	}
	_, u, err := number(field, tok, 0, max, typ)
	return u, err
}

func (p *parser) bool(field string) (bool, error) {
	tok, err := p.next()
	if err != nil {
		return false, err
	}
	b, ok := tok.(bool)
	if !ok {
		return false, inputErr(field, "expected boolean, got %s", kind(tok))
	}
	return b, nil
}

// open consumes the opening delimiter of an array ('[') or object ('{').
func (p *parser) open(field string, d json.Delim, what string) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	if tok != d {
		return inputErr(field, "expected %s, got %s", what, kind(tok))
	}
	return nil
}

// array reads a JSON array of at most limit elements, calling elem for each
// with its index; elem reads exactly one value.
func (p *parser) array(field string, limit int, elem func(i int) error) error {
	if err := p.open(field, '[', "array"); err != nil {
		return err
	}
	i := 0
	for p.dec.More() {
		if i == limit {
			return inputErr(field, "more than %d elements", limit)
		}
		if err := elem(i); err != nil {
			return err
		}
		i++
	}
	_, err := p.next() // ']'
	return err
}

func (p *parser) uintArray(field string, max uint64, typ string) ([]uint64, error) {
	v := make([]uint64, 0)
	err := p.array(field, MaxN, func(i int) error {
		x, err := p.uint(idx(field, i), max, typ)
		v = append(v, x)
		return err
	})
	return v, err
}

func (p *parser) boolArray(field string) ([]bool, error) {
	v := make([]bool, 0)
	err := p.array(field, MaxN, func(i int) error {
		x, err := p.bool(idx(field, i))
		v = append(v, x)
		return err
	})
	return v, err
}

// rows reads n rows of [uid, value] pairs (weights, bonds). A row holds at
// most MaxN entries: more would repeat a uid or exceed n.
func (p *parser) rows(field string) ([][]Entry, error) {
	rows := make([][]Entry, 0)
	err := p.array(field, MaxN, func(i int) error {
		row := make([]Entry, 0)
		err := p.array(idx(field, i), MaxN, func(k int) error {
			e, err := p.pair(idx(field, i, k))
			row = append(row, e)
			return err
		})
		rows = append(rows, row)
		return err
	})
	return rows, err
}

// pair reads one [uid, value] entry.
func (p *parser) pair(field string) (Entry, error) {
	tok, err := p.next()
	if err != nil {
		return Entry{}, err
	}
	if tok != json.Delim('[') {
		return Entry{}, inputErr(field, "expected a [uid, value] pair, got %s", kind(tok))
	}
	var v [2]uint64
	for k, max := range [2]uint64{MaxN - 1, math.MaxUint16} {
		if !p.dec.More() {
			return Entry{}, inputErr(field, "expected a [uid, value] pair of two integers")
		}
		typ := "uid below n"
		if k == 1 {
			typ = "u16"
		}
		if v[k], err = p.uint(idx(field, k), max, typ); err != nil {
			return Entry{}, err
		}
	}
	if p.dec.More() {
		return Entry{}, inputErr(field, "expected a [uid, value] pair of two integers, got more elements")
	}
	if _, err := p.next(); err != nil { // ']'
		return Entry{}, err
	}
	return Entry{UID: uint16(v[0]), Value: uint16(v[1])}, nil
}

// nullOr reads null or an unsigned integer of at most max; ok reports a
// number.
func (p *parser) nullOr(field string, max uint64, typ string) (uint64, bool, error) {
	tok, err := p.next()
	if err != nil {
		return 0, false, err
	}
	if tok == nil {
		return 0, false, nil
	}
	_, u, err := number(field, tok, 0, max, "null or "+typ)
	return u, true, err
}

// commitBlocks reads null or an array of (null or u64).
func (p *parser) commitBlocks(field string) ([]OptBlock, error) {
	tok, err := p.next()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, inputErr(field, "expected null or array, got %s", kind(tok))
	}
	v := make([]OptBlock, 0)
	for i := 0; p.dec.More(); i++ {
		if i == MaxN {
			return nil, inputErr(field, "more than %d elements", MaxN)
		}
		b, ok, err := p.nullOr(idx(field, i), math.MaxUint64, "u64")
		if err != nil {
			return nil, err
		}
		v = append(v, OptBlock{Block: b, Valid: ok})
	}
	if _, err := p.next(); err != nil { // ']'
		return nil, err
	}
	return v, nil
}
