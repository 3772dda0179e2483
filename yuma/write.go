package yuma

import (
	"bufio"
	"io"
	"strconv"
)

// WriteOutput writes out as the §9 output object followed by a newline:
// exactly the fields of §9, integers as JSON integers, q32 always present,
// empty arrays (never null) when n = 0.
func WriteOutput(w io.Writer, out Output) error {
	e := newEncoder(w)
	e.raw("{")
	e.bools(`"active"`, out.Active)
	e.bools(`,"new_validator_permit"`, out.NewValidatorPermit)
	e.u16s(`,"stake_weight"`, out.StakeWeight)
	e.u16s(`,"consensus"`, out.Consensus)
	e.u16s(`,"validator_trust"`, out.ValidatorTrust)
	e.u16s(`,"incentive"`, out.Incentive)
	e.u16s(`,"dividends"`, out.Dividends)
	e.u16s(`,"ranks"`, out.Ranks)
	e.u16s(`,"trust"`, out.Trust)
	e.u16s(`,"pruning_score"`, out.PruningScore)
	e.u64s(`,"emission"`, out.Emission)
	e.u64s(`,"server_emission"`, out.ServerEmission)
	e.u64s(`,"validator_emission"`, out.ValidatorEmission)
	e.rows(`,"bonds"`, out.Bonds)
	q := &out.Q32
	e.i64s(`,"q32":{"stake"`, q.Stake)
	e.i64s(`,"active_stake"`, q.ActiveStake)
	e.i64s(`,"consensus"`, q.Consensus)
	e.i64s(`,"validator_trust"`, q.ValidatorTrust)
	e.i64s(`,"incentive"`, q.Incentive)
	e.i64s(`,"dividends"`, q.Dividends)
	e.i64s(`,"normalized_server_emission"`, q.NormalizedServerEmission)
	e.i64s(`,"normalized_validator_emission"`, q.NormalizedValidatorEmission)
	e.i64s(`,"normalized_combined_emission"`, q.NormalizedCombinedEmission)
	e.raw("}}\n")
	return e.flush()
}

// encoder appends JSON to a buffered writer; the first write error sticks.
type encoder struct {
	w   *bufio.Writer
	buf []byte
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 32)}
}

func (e *encoder) raw(s string) { e.w.WriteString(s) } // errors surface in flush

func (e *encoder) flush() error { return e.w.Flush() }

func (e *encoder) uint(v uint64) {
	e.buf = strconv.AppendUint(e.buf[:0], v, 10)
	e.w.Write(e.buf)
}

func (e *encoder) int(v int64) {
	e.buf = strconv.AppendInt(e.buf[:0], v, 10)
	e.w.Write(e.buf)
}

// key writes `name:`; name carries its quotes and any leading comma.
func (e *encoder) key(name string) { e.raw(name + ":") }

func (e *encoder) sep(i int) {
	if i > 0 {
		e.w.WriteByte(',')
	}
}

func (e *encoder) bools(name string, v []bool) {
	e.key(name)
	e.w.WriteByte('[')
	for i, x := range v {
		e.sep(i)
		e.raw(strconv.FormatBool(x))
	}
	e.w.WriteByte(']')
}

func (e *encoder) u16s(name string, v []uint16) {
	e.key(name)
	e.w.WriteByte('[')
	for i, x := range v {
		e.sep(i)
		e.uint(uint64(x))
	}
	e.w.WriteByte(']')
}

func (e *encoder) u64s(name string, v []uint64) {
	e.key(name)
	e.w.WriteByte('[')
	for i, x := range v {
		e.sep(i)
		e.uint(x)
	}
	e.w.WriteByte(']')
}

func (e *encoder) i64s(name string, v []int64) {
	e.key(name)
	e.w.WriteByte('[')
	for i, x := range v {
		e.sep(i)
		e.int(x)
	}
	e.w.WriteByte(']')
}

func (e *encoder) rows(name string, rows [][]Entry) {
	e.key(name)
	e.w.WriteByte('[')
	for i, row := range rows {
		e.sep(i)
		e.w.WriteByte('[')
		for k, x := range row {
			e.sep(k)
			e.w.WriteByte('[')
			e.uint(uint64(x.UID))
			e.w.WriteByte(',')
			e.uint(uint64(x.Value))
			e.w.WriteByte(']')
		}
		e.w.WriteByte(']')
	}
	e.w.WriteByte(']')
}
