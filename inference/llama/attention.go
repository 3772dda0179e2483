package llama

import "math"

// attention computes causal grouped-query attention for every row and
// head, reading keys and values from each row's sequence cache (which
// already holds this batch's rows), in the order llama.cpp computes it
// without flash attention. With an F32 cache: scores by ggml_vec_dot_f32
// and scaled, ggml's softmax, and the weighted sum of values as
// ggml_vec_dot_f32 does for a lone row of its sequence (a decode step),
// or as tinyBLAS does when the sequence has several rows in this Forward
// call (a prompt; llama.cpp's batch is one sequence's tokens). With an
// F16 cache the same, with the query and the weights rounded to float16
// and the products those of the F16 cache (f16cache.go): a prompt row's
// scores are tinyBLAS's too. With flash attention (Seq.flash), llama.cpp's
// flash-attention kernels (flashattn.go): the tiled one for a sequence
// with 64 rows or more in this call (seqRows), else one row at a time.
// Rows past the sequence's position count as llama.cpp's masked cache
// cells: zero weight (flash attention skips them).
func (m *Model) attention(out, q []float32, rows []Row, pos []int, prompt []bool, seqRows []int, l int, tm *team) {
	qDim, hd := m.QDim(), m.HeadDim
	group := m.Heads / m.KVHeads
	scale := 1 / float32(math.Sqrt(float64(hd))) // 1.0f/sqrtf(n_embd_head)
	n := len(rows) * m.Heads
	kt := m.flashKeyTiles(rows, pos, seqRows, l, tm)
	tm.parallelFor(n, 1, func(lo, hi int) {
		var probs, q16 []float32
		var acc []uint16
		for job := lo; job < hi; job++ {
			i, h := job/m.Heads, job%m.Heads
			kvh := h / group
			seq, p := rows[i].Seq, pos[i]
			qh := q[i*qDim+h*hd : i*qDim+(h+1)*hd]
			n := p + 1
			if seq.flash {
				o := out[i*qDim+h*hd : i*qDim+(h+1)*hd]
				k, v := seq.kHead16(l, kvh, hd), seq.vHead16(l, kvh, hd)
				if seqRows[i] >= flashTileRows && hd%8 == 0 {
					if cap(probs) < flashTile {
						probs = make([]float32, flashTile)
					}
					flashTiled(qh, kt[seq][kvh], v, n, scale, probs[:flashTile], o)
					continue
				}
				if cap(probs) < n {
					probs = make([]float32, n, seq.cap)
				}
				if cap(acc) < hd {
					acc = make([]uint16, hd)
				}
				q16 = append(q16[:0], qh...)
				roundF16(q16)
				flashOne(q16, k, v, n, scale, probs[:n], acc, o)
				continue
			}
			n8, n32 := (n+7)&^7, (n+31)&^31
			if cap(probs) < n32 {
				probs = make([]float32, n32, seq.vBlocks*32)
			}
			probs = probs[:n32]
			f16 := seq.k16 != nil
			if f16 {
				q16 = append(q16[:0], qh...)
				roundF16(q16)
				scoresF16(q16, seq.kHead16(l, kvh, hd), hd, prompt[i], probs[:n])
			} else {
				scoresGGML(qh, seq.kHead(l, kvh, hd), hd, probs[:n])
			}
			maxS := float32(math.Inf(-1))
			for t, s := range probs[:n] {
				s *= scale
				probs[t] = s
				maxS = max(maxS, s)
			}
			for t := n; t < n8; t++ {
				probs[t] = float32(math.Inf(-1))
			}
			inv := float32(1 / softmaxExp(probs[:n8], maxS))
			for t := range n {
				probs[t] *= inv
			}
			clear(probs[n:])
			o := out[i*qDim+h*hd : i*qDim+(h+1)*hd]
			nkv := n32
			tiny := prompt[i] && hd%4 == 0 // tinyBLAS takes rows in fours
			if tiny {
				nkv = n8
			}
			if f16 {
				roundF16(probs[:nkv])
				kqvF16(seq.vHead16(l, kvh, hd), probs, nkv, tiny, o)
			} else {
				kqv(seq.vHead(l, kvh, hd), probs, nkv, tiny, o)
			}
		}
	})
}

// flashKeyTiles returns, for each sequence whose rows here take flash
// attention's tiled kernel, each KV head's keys of layer l up to the
// sequence's last row, transposed by tiles (flashKeyTiles): packed once
// for all of the sequence's rows.
func (m *Model) flashKeyTiles(rows []Row, pos, seqRows []int, l int, tm *team) map[*Seq][][]float32 {
	hd := m.HeadDim
	if hd%8 != 0 {
		return nil
	}
	var seqs []*Seq
	n := map[*Seq]int{}
	for i, r := range rows {
		if !r.Seq.flash || seqRows[i] < flashTileRows {
			continue
		}
		if _, ok := n[r.Seq]; !ok {
			seqs = append(seqs, r.Seq)
		}
		n[r.Seq] = max(n[r.Seq], pos[i]+1)
	}
	if len(seqs) == 0 {
		return nil
	}
	kt := make(map[*Seq][][]float32, len(seqs))
	for _, s := range seqs {
		tiles := make([][]float32, m.KVHeads)
		nt := (n[s] + flashTile - 1) / flashTile
		for h := range tiles {
			tiles[h] = make([]float32, nt*hd*flashTile)
		}
		kt[s] = tiles
	}
	tm.parallelFor(len(seqs)*m.KVHeads, 1, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			s, h := seqs[j/m.KVHeads], j%m.KVHeads
			flashKeyTiles(kt[s][h], s.kHead16(l, h, hd), hd, n[s])
		}
	})
	return kt
}
