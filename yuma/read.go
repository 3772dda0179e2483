package yuma

import (
	"io"
	"math"
	"strconv"
)

// ReadInput reads one epoch input object in the form of spec/yuma.md §9 (the
// shape of a test vector's epochs[k].input) and fills the defaults of §9 and
// §5. The returned Input is canonical: every per-uid slice has length n
// (optional ones filled with their defaults) and ActivityCutoff is set.
//
// Every malformed case of §9 — not exactly one JSON object, unknown or
// duplicate fields, missing required fields, wrong types or null, integers
// with a fraction or exponent or out of their type's range, wrong lengths,
// bad row entries, uids ≥ n or repeated in a row, stake form errors,
// owner_uid ≥ n, alpha_low > alpha_high, bonds_moving_average > 10^6, total
// raw stake ≥ 2^63 — yields an *InputError whose message is the line the
// CLI prints. An error of r itself is returned wrapped, not as an
// *InputError.
func ReadInput(r io.Reader) (Input, error) {
	p := newParser(r)
	doc, err := p.document()
	if err != nil {
		return Input{}, err
	}
	// Exactly one object: only whitespace may follow.
	if _, err := p.dec.Token(); err != io.EOF {
		return Input{}, inputErr("(input)", "trailing data after the object")
	}
	in, err := doc.resolve()
	if err != nil {
		return Input{}, err
	}
	if err := in.validate(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// document is a parsed input object before defaults, with field presence.
type document struct {
	in    Input
	seen  map[string]bool // fields present (lookup only)
	hasAC bool            // activity_cutoff given
}

func (p *parser) document() (*document, error) {
	if err := p.open("(input)", '{', "a JSON object"); err != nil {
		return nil, err
	}
	doc := &document{seen: map[string]bool{}}
	doc.in.Hyper = DefaultHyper()
	doc.in.Tempo = 360
	doc.in.RaoEmission = 1_000_000_000
	for p.dec.More() {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // object keys are always strings
		if doc.seen[key] {
			return nil, inputErr(fieldName(key), "duplicate field")
		}
		doc.seen[key] = true
		if err := p.field(doc, key); err != nil {
			return nil, err
		}
	}
	if _, err := p.next(); err != nil { // '}'
		return nil, err
	}
	return doc, nil
}

// field reads the value of one top-level field into doc.
func (p *parser) field(doc *document, key string) error {
	in := &doc.in
	var err error
	var u uint64
	switch key {
	case "n":
		u, err = p.uint(key, MaxN, "integer in 0..4096")
		in.N = int(u)
	case "current_block":
		in.CurrentBlock, err = p.uint(key, math.MaxUint64, "u64")
	case "tempo":
		u, err = p.uint(key, math.MaxUint16, "u16")
		in.Tempo = uint16(u)
	case "activity_cutoff":
		in.ActivityCutoff, err = p.uint(key, math.MaxUint64, "u64")
		doc.hasAC = true
	case "last_mechanism_step_block":
		in.LastMechanismStepBlock, err = p.uint(key, math.MaxUint64, "u64")
	case "stake":
		in.Stake, err = p.uintArray(key, math.MaxUint64, "u64")
	case "alpha_stake":
		in.AlphaStake, err = p.uintArray(key, math.MaxUint64, "u64")
	case "tao_stake":
		in.TaoStake, err = p.uintArray(key, math.MaxUint64, "u64")
	case "tao_weight_u64":
		in.TaoWeight, err = p.uint(key, math.MaxUint64, "u64")
	case "validator_permit":
		in.ValidatorPermit, err = p.boolArray(key)
	case "last_update":
		in.LastUpdate, err = p.uintArray(key, math.MaxUint64, "u64")
	case "block_at_registration":
		in.BlockAtRegistration, err = p.uintArray(key, math.MaxUint64, "u64")
	case "weights":
		in.Weights, err = p.rows(key)
	case "bonds":
		in.Bonds, err = p.rows(key)
	case "owner_uid":
		u, in.HasOwner, err = p.nullOr(key, MaxN-1, "uid below n")
		in.OwnerUID = int(u)
	case "commit_blocks":
		in.CommitBlocks, err = p.commitBlocks(key)
	case "hyper":
		err = p.hyper(doc)
	case "rao_emission":
		in.RaoEmission, err = p.uint(key, math.MaxUint64, "u64")
	default:
		return inputErr(fieldName(key), "unknown field")
	}
	return err
}

// hyper reads the hyper object (§5); every field is optional.
func (p *parser) hyper(doc *document) error {
	if err := p.open("hyper", '{', "object"); err != nil {
		return err
	}
	h := &doc.in.Hyper
	seen := map[string]bool{}
	for p.dec.More() {
		tok, err := p.next()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		f := "hyper." + fieldName(key)
		if seen[key] {
			return inputErr(f, "duplicate field")
		}
		seen[key] = true
		var u uint64
		switch key {
		case "kappa":
			u, err = p.uint(f, math.MaxUint16, "u16")
			h.Kappa = uint16(u)
		case "bonds_penalty":
			u, err = p.uint(f, math.MaxUint16, "u16")
			h.BondsPenalty = uint16(u)
		case "bonds_moving_average":
			h.BondsMovingAverage, err = p.uint(f, math.MaxUint64, "u64")
		case "yuma3":
			h.Yuma3, err = p.bool(f)
		case "liquid_alpha":
			h.LiquidAlpha, err = p.bool(f)
		case "alpha_low":
			u, err = p.uint(f, math.MaxUint16, "u16")
			h.AlphaLow = uint16(u)
		case "alpha_high":
			u, err = p.uint(f, math.MaxUint16, "u16")
			h.AlphaHigh = uint16(u)
		case "alpha_sigmoid_steepness":
			err = p.steepness(f, h)
		case "max_allowed_validators":
			u, err = p.uint(f, math.MaxUint16, "u16")
			h.MaxAllowedValidators = uint16(u)
		case "stake_threshold":
			h.StakeThreshold, err = p.uint(f, math.MaxUint64, "u64")
		case "activity_cutoff_factor_milli":
			u, err = p.uint(f, math.MaxUint32, "u32")
			h.ActivityCutoffFactorMilli = uint32(u)
		case "commit_reveal":
			h.CommitReveal, err = p.bool(f)
		default:
			return inputErr(f, "unknown field")
		}
		if err != nil {
			return err
		}
	}
	_, err := p.next() // '}'
	return err
}

func (p *parser) steepness(f string, h *Hyper) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	v, _, err := number(f, tok, math.MinInt16, math.MaxInt16, "i16")
	h.AlphaSigmoidSteepness = int16(v)
	return err
}

// resolve checks presence rules and fills the defaults of §9.
func (doc *document) resolve() (Input, error) {
	in := doc.in
	for _, f := range []string{"n", "current_block"} {
		if !doc.seen[f] {
			return Input{}, inputErr(f, "required field missing")
		}
	}
	plain, alpha := doc.seen["stake"], doc.seen["alpha_stake"]
	switch {
	case plain && alpha:
		return Input{}, inputErr("stake", "exactly one of stake and alpha_stake must be given, not both")
	case !plain && !alpha:
		return Input{}, inputErr("stake", "required field missing (give stake or alpha_stake)")
	}
	if !alpha {
		for _, f := range []string{"tao_stake", "tao_weight_u64"} {
			if doc.seen[f] {
				return Input{}, inputErr(f, "only allowed with alpha_stake")
			}
		}
	} else if in.TaoStake == nil {
		in.TaoStake = make([]uint64, in.N)
	}
	if !doc.hasAC {
		in.ActivityCutoff = ActivityCutoffBlocks(in.Hyper.ActivityCutoffFactorMilli, in.Tempo)
	}
	n := in.N
	if in.ValidatorPermit == nil {
		in.ValidatorPermit = make([]bool, n)
	}
	if in.LastUpdate == nil {
		in.LastUpdate = make([]uint64, n)
	}
	if in.BlockAtRegistration == nil {
		in.BlockAtRegistration = make([]uint64, n)
	}
	if in.Weights == nil {
		in.Weights = emptyRows(n)
	}
	if in.Bonds == nil {
		in.Bonds = emptyRows(n)
	}
	return in, nil
}

// fieldName is key as a field path: as is when it is a plain name, else
// quoted, so that an error stays one printable line.
func fieldName(key string) string {
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return strconv.Quote(key)
		}
	}
	if key == "" {
		return `""`
	}
	return key
}

func emptyRows(n int) [][]Entry {
	r := make([][]Entry, n)
	for i := range r {
		r[i] = []Entry{}
	}
	return r
}
