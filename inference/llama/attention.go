package llama

import "math"

// attention computes causal grouped-query attention for every row and
// head, reading keys and values from each row's sequence cache (which
// already holds this batch's rows).
func (m *Model) attention(out, q []float32, rows []Row, pos []int, l, threads int) {
	dim, kvDim, hd := m.Dim, m.KVDim(), m.HeadDim
	group := m.Heads / m.KVHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	n := len(rows) * m.Heads
	parallelFor(threads, n, 1, func(lo, hi int) {
		var scores []float32
		for job := lo; job < hi; job++ {
			i, h := job/m.Heads, job%m.Heads
			kvh := h / group
			seq, p := rows[i].Seq, pos[i]
			qh := q[i*dim+h*hd : i*dim+(h+1)*hd]
			if cap(scores) < p+1 {
				scores = make([]float32, p+1, seq.cap)
			}
			scores = scores[:p+1]
			kc, vc := seq.k[l], seq.v[l]
			maxS := float32(math.Inf(-1))
			for t := 0; t <= p; t++ {
				s := dotF32(qh, kc[t*kvDim+kvh*hd:]) * scale
				scores[t] = s
				maxS = max(maxS, s)
			}
			var sum float64
			for t, s := range scores {
				e := float32(math.Exp(float64(s - maxS)))
				scores[t] = e
				sum += float64(e)
			}
			inv := float32(1 / sum)
			o := out[i*dim+h*hd : i*dim+(h+1)*hd]
			clear(o)
			for t, w := range scores {
				axpy(w*inv, vc[t*kvDim+kvh*hd:t*kvDim+(kvh+1)*hd], o)
			}
		}
	})
}
