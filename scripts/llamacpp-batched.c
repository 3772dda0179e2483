// Measures llama.cpp's aggregate greedy decode speed with N sequences
// decoded together, one llama_decode per step with one token of each
// sequence (as llama.cpp's server batches its slots), beside one sequence
// alone: the llama.cpp side of `tao bench inference`'s batch figure.
// Each sequence starts from two prompt tokens (100+i, 101+i) and decodes
// STEPS tokens; F32 KV cache, no flash attention, as the parity runs.
// Prints one JSON line: {"threads", "batch", "decode_tok_s", "batch_tok_s"},
// the best of three runs each.
// usage: batched MODEL.gguf THREADS BATCH STEPS
#include "llama.h"
#include "ggml-backend.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quiet(enum ggml_log_level level, const char *text, void *ud) {
    (void)level; (void)text; (void)ud;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
    return best;
}

// run decodes nseq sequences together and returns generated tokens/s,
// timed from the first greedy token on (the prompts are not counted).
static double run(struct llama_model *model, int threads, int nseq, int steps) {
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = nseq * (steps + 8); cp.n_batch = 512; cp.n_ubatch = 512; cp.n_seq_max = nseq;
    cp.n_threads = threads; cp.n_threads_batch = threads; cp.no_perf = true;
    const char *fa = getenv("FLASH_ATTN"); // on (llama.cpp's default) unless off
    cp.flash_attn_type = fa && strcmp(fa, "off") == 0 ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_ENABLED;
    const char *kv = getenv("KV_CACHE"); // f16 (llama.cpp's default) unless f32
    enum ggml_type kt = kv && strcmp(kv, "f32") == 0 ? GGML_TYPE_F32 : GGML_TYPE_F16;
    cp.type_k = kt; cp.type_v = kt;
    cp.kv_unified = false;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context failed\n"); exit(1); }
    int nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
    struct llama_batch b = llama_batch_init(2 * nseq, 0, 1);
    for (int i = 0; i < nseq; i++)
        for (int j = 0; j < 2; j++) {
            int k = b.n_tokens++;
            b.token[k] = 100 + i + j; b.pos[k] = j; b.n_seq_id[k] = 1; b.seq_id[k][0] = i; b.logits[k] = j == 1;
        }
    if (llama_decode(ctx, b)) { fprintf(stderr, "prompt decode failed\n"); exit(1); }
    int *next = malloc(sizeof(int) * nseq);
    for (int i = 0; i < nseq; i++) next[i] = argmax(llama_get_logits_ith(ctx, 2 * i + 1), nv);
    double t0 = now();
    for (int s = 0; s < steps - 1; s++) {
        b.n_tokens = 0;
        for (int i = 0; i < nseq; i++) {
            int k = b.n_tokens++;
            b.token[k] = next[i]; b.pos[k] = 2 + s; b.n_seq_id[k] = 1; b.seq_id[k][0] = i; b.logits[k] = 1;
        }
        if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed\n"); exit(1); }
        for (int i = 0; i < nseq; i++) next[i] = argmax(llama_get_logits_ith(ctx, i), nv);
    }
    double tps = (double)nseq * (steps - 1) / (now() - t0);
    free(next);
    llama_batch_free(b);
    llama_free(ctx);
    return tps;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: batched MODEL THREADS BATCH STEPS\n"); return 2; }
    ggml_backend_load_all_from_path(getenv("GGML_BACKEND_DIR"));
    llama_backend_init();
    llama_log_set(quiet, NULL);
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 1;
    int threads = atoi(argv[2]), nseq = atoi(argv[3]), steps = atoi(argv[4]);
    double one = 0, many = 0;
    for (int r = 0; r < 3; r++) {
        double a = run(model, threads, 1, steps), c = run(model, threads, nseq, steps);
        if (a > one) one = a;
        if (c > many) many = c;
    }
    printf("{\"threads\": %d, \"batch\": %d, \"decode_tok_s\": %.1f, \"batch_tok_s\": %.1f}\n", threads, nseq, one, many);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
