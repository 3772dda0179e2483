package llama

import "math"

// attention computes causal grouped-query attention for every row and
// head, reading keys and values from each row's sequence cache (which
// already holds this batch's rows).
func (m *Model) attention(out, q []float32, rows []Row, pos []int, l, threads int) {
	qDim, kvDim, hd := m.QDim(), m.KVDim(), m.HeadDim
	group := m.Heads / m.KVHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	n := len(rows) * m.Heads
	parallelFor(threads, n, 1, func(lo, hi int) {
		var probs []float32
		for job := lo; job < hi; job++ {
			i, h := job/m.Heads, job%m.Heads
			kvh := h / group
			seq, p := rows[i].Seq, pos[i]
			qh := q[i*qDim+h*hd : i*qDim+(h+1)*hd]
			if cap(probs) < p+1 {
				probs = make([]float32, p+1, seq.cap)
			}
			probs = probs[:p+1]
			kc, vc := seq.k[l], seq.v[l]
			scores(qh, kc[kvh*hd:], kvDim, probs)
			maxS := float32(math.Inf(-1))
			for t, s := range probs {
				s *= scale
				probs[t] = s
				maxS = max(maxS, s)
			}
			var sum float64
			for t, s := range probs {
				e := expf(s - maxS)
				probs[t] = e
				sum += float64(e)
			}
			inv := float32(1 / sum)
			for t := range probs {
				probs[t] *= inv
			}
			wsum(probs, vc[kvh*hd:], kvDim, out[i*qDim+h*hd:i*qDim+(h+1)*hd])
		}
	})
}
