package market

import "testing"

func BenchmarkBuy(b *testing.B) {
	p := DefaultParams()
	for _, c := range []struct {
		name string
		w2   Perquintill
	}{{"weights=equal", 0}, {"weights=30-70", PerquintillOne * 7 / 10}} {
		pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO, TAOWeight: c.w2}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pool.Buy(p, 1_000*RaoPerTAO, Limit{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO}
	lim := U64F64FromBits(0, 1<<62+1<<55) // 0.25 + 2^-9: binds for 1 000 TAO
	b.Run("weights=equal/limit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pool.Buy(p, 1_000*RaoPerTAO, Limit{Price: lim, Partial: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSell(b *testing.B) {
	p := DefaultParams()
	for _, c := range []struct {
		name string
		w2   Perquintill
	}{{"weights=equal", 0}, {"weights=30-70", PerquintillOne * 7 / 10}} {
		pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO, TAOWeight: c.w2}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pool.Sell(p, 1_000*RaoPerTAO, Limit{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBlockEmission(b *testing.B) {
	p := DefaultParams()
	b.ReportAllocs()
	q := Rao(0)
	for b.Loop() {
		q += p.BlockEmission(q) * 1_000_003 // walk the curve so the input changes
		if q >= p.SupplyCap {
			q = 0
		}
	}
}

func BenchmarkDecayFactor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if DecayFactor(360) != 4_286_705_684 {
			b.Fatal("wrong factor")
		}
	}
}

func BenchmarkInject(b *testing.B) {
	p := DefaultParams()
	rp, _ := RootProp(3_000_000*RaoPerTAO, p.TaoWeight, 5_000_000*RaoPerTAO)
	in := InjectInput{
		Pool:        Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO},
		TAOEmission: U96F32FromRao(RaoPerTAO / 2), AlphaEmission: RaoPerTAO, RootProp: rp,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Inject(in); err != nil {
			b.Fatal(err)
		}
	}
}
