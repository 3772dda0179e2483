package market

import (
	"errors"
	"testing"
)

func TestDefaultParams(t *testing.T) {
	p := DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.SupplyCap != 21_000_000*RaoPerTAO || p.BaseEmission != RaoPerTAO || p.FeeRate != 33 || p.OwnerCut != 11_796 ||
		p.Tempo != 360 || p.MaxEpochsPerBlock != 2 || p.LockReductionInterval != 100_800 || p.SubnetLimit != 128 {
		t.Errorf("defaults differ from dtao.md §11: %+v", p)
	}
	if d := DevParams(); d.Tempo != 10 || d.Validate() != nil {
		t.Errorf("dev preset: %+v", d)
	}
	// MovingAlpha: the I96F32 nearest the f64 0.000003 (round(12 884.901 888) = 12 885 bits),
	// widened to U64F64: 12 885·2^32.
	if hi, lo := p.MovingAlpha.Bits(); hi != 0 || lo != 55_340_653_608_960 {
		t.Errorf("MovingAlpha bits %d", lo)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*Params)
	}{
		{"cap", func(p *Params) { p.SupplyCap = 0 }},
		{"take", func(p *Params) { p.DefaultTake = p.MaxTake + 1 }},
		{"fee", func(p *Params) { p.FeeRate = p.MaxFeeRate + 1 }},
		{"max-fee", func(p *Params) { p.MaxFeeRate = 65_535 }},
		{"weight", func(p *Params) { p.MinWeight = PerquintillOne / 2 }},
		{"epochs", func(p *Params) { p.MaxEpochsPerBlock = 0 }},
		{"burn", func(p *Params) { p.MinBurn = p.MaxBurn + 1 }},
		{"mult", func(p *Params) { p.BurnIncreaseMult = U64F64FromBits(0, 1) }},
		{"interval", func(p *Params) { p.LockReductionInterval = 0 }},
		{"limit", func(p *Params) { p.SubnetLimit = 0 }},
	} {
		p := DefaultParams()
		c.mod(&p)
		if err := p.Validate(); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}
