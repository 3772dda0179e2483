package inference

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/taonet/tao/inference/llama"
)

// job is one request in the scheduler.
type job struct {
	ctx       context.Context
	seq       *llama.Seq
	prompt    []int32
	fed       int   // prompt tokens evaluated
	last      int32 // token to feed next, once the prompt is in
	samp      *sampler
	maxTokens int
	produced  int
	events    chan event // buffered for every event the job can produce
	cancelled atomic.Bool
	start     time.Time // first scheduled
}

type event struct {
	id     int32
	lp     float32
	at     time.Time
	finish FinishReason // set on the last event
	eog    bool         // id is an end-of-generation token, not output
	err    error
}

// loop is the scheduler: each step evaluates one batch of rows (prompt
// chunks of new requests and one token of each decoding request) and
// samples a token for every request whose prompt is in.
func (e *Builtin) loop() {
	defer close(e.done)
	var active []*job
	for {
		took := false
		if len(active) == 0 {
			select {
			case j := <-e.submit:
				active, took = append(active, j), true
			case <-e.quit:
				return
			}
		}
		active = e.admit(active, took)
		select {
		case <-e.quit:
			for _, j := range active {
				j.events <- event{err: ErrClosed}
			}
			return
		default:
		}
		active = e.step(active)
	}
}

// admit adds the jobs waiting in submit to active, up to MaxBatch. After
// taking one (took: the caller just did) it yields and looks again, so
// that requests started together begin, and end, on the same steps: else
// the first runs its prefill alone while the others are on their way (on
// one core they cannot even submit before the scheduler yields), and the
// last finish with small steps of their own.
func (e *Builtin) admit(active []*job, took bool) []*job {
	for len(active) < e.opts.MaxBatch {
		if took {
			runtime.Gosched()
		}
		n := len(active)
	more:
		for len(active) < e.opts.MaxBatch {
			select {
			case j := <-e.submit:
				active = append(active, j)
			default:
				break more
			}
		}
		if len(active) == n {
			break
		}
		took = true
	}
	return active
}

// step runs one batch and returns the jobs still active.
func (e *Builtin) step(active []*job) []*job {
	var rows []llama.Row
	var sampled []*job
	budget := e.opts.PrefillChunk
	keep := active[:0]
	now := time.Now()
	for _, j := range active {
		if j.cancelled.Load() || j.ctx.Err() != nil {
			continue // the caller has gone; nobody reads events
		}
		// Room for this step's positions first: a cache that cannot grow
		// (GPU memory) fails its own request, not the whole pass.
		need := j.seq.Len() + 1
		if j.fed < len(j.prompt) {
			need = j.fed + min(len(j.prompt)-j.fed, max(e.opts.PrefillChunk, 1))
		}
		if err := e.m.Reserve(j.seq, need); err != nil {
			j.events <- event{err: err}
			continue
		}
		keep = append(keep, j)
		if j.start.IsZero() {
			j.start = now
		}
		if j.fed < len(j.prompt) {
			n := prefillRows(len(j.prompt)-j.fed, budget, e.opts.PrefillChunk)
			if n == 0 {
				continue // the step's prompt budget is spent; next step
			}
			budget -= n
			for i := range n {
				p := j.fed + i
				rows = append(rows, llama.Row{Seq: j.seq, Token: j.prompt[p], Logits: p == len(j.prompt)-1,
					Batch: llama.UBatchRows(len(j.prompt), p)})
			}
			j.fed += n
			if j.fed == len(j.prompt) {
				sampled = append(sampled, j)
			}
			continue
		}
		rows = append(rows, llama.Row{Seq: j.seq, Token: j.last, Logits: true})
		sampled = append(sampled, j)
	}
	active = keep
	if len(rows) == 0 {
		return active
	}
	// When every request of the step decodes greedily, the model picks the
	// tokens itself (on a GPU, without copying logits back).
	greedy := true
	for _, j := range sampled {
		greedy = greedy && j.samp.plainGreedy()
	}
	var logits [][]float32
	var picks []llama.Pick
	var err error
	if greedy {
		picks, err = e.m.ForwardGreedy(rows, e.opts.Threads)
	} else {
		logits, err = e.m.ForwardInto(rows, e.opts.Threads, &e.logits) // used up by sample below
	}
	if err != nil {
		for _, j := range active {
			j.events <- event{err: err}
		}
		return nil
	}
	if !greedy {
		picks = e.sample(sampled, logits)
	}
	at := time.Now()
	finished := map[*job]bool{}
	for i, j := range sampled {
		id, lp := picks[i].ID, picks[i].LogProb
		if greedy {
			j.samp.accept(id)
		}
		ev := event{id: id, lp: lp, at: at}
		j.produced++
		switch {
		case e.m.Tok.IsEOG(id):
			ev.finish, ev.eog = FinishStop, true
		case j.produced >= j.maxTokens || j.seq.Len() >= j.seq.Cap():
			ev.finish = FinishLength
		}
		j.last = id
		j.events <- ev
		if ev.finish != "" {
			finished[j] = true
		}
	}
	keep = active[:0]
	for _, j := range active {
		if !finished[j] {
			keep = append(keep, j)
		}
	}
	return keep
}

// sample draws each job's next token from its logits, the jobs spread over
// the engine's threads: a draw (the vocabulary's LogSumExp, top-k, top-p)
// takes about as long as a batch row's share of the forward pass, so eight
// drawn one after another would cost a batch-8 step nearly half again.
func (e *Builtin) sample(jobs []*job, logits [][]float32) []llama.Pick {
	picks := make([]llama.Pick, len(jobs))
	threads := e.opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, len(jobs))
	var wg sync.WaitGroup
	for w := range threads {
		wg.Go(func() {
			for i := w; i < len(jobs); i += threads {
				id, lp := jobs[i].samp.sample(logits[i])
				picks[i] = llama.Pick{ID: id, LogProb: lp}
			}
		})
	}
	wg.Wait()
	return picks
}

// prefillRows is how many of a prompt's rest rows a step feeds with budget
// rows of the step's prompt chunk left: as many as the budget allows (one
// at least), cut, when the prompt does not end in this step and chunks are
// four rows or more, to a multiple of four (0: wait for the next step). llama.cpp's repacked K-quant kernels
// take a sequence's rows in fours and the last n%4 one at a time, summing
// each in another order, so a prompt split where it would not be alone
// (by batch mates taking part of the chunk) would change its numbers.
func prefillRows(rest, budget, chunk int) int {
	n := min(rest, max(budget, 1))
	if n < rest && chunk >= 4 {
		n &^= 3
	}
	return n
}
