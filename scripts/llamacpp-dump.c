// Dumps every contiguous F32 tensor llama.cpp computes, per llama_decode
// call, for parity debugging: prompt tokens as one batch, then greedy steps.
// usage: dump MODEL.gguf OUTDIR STEPS tok1 tok2 ...
#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static bool cb(struct ggml_tensor *t, bool ask, void *ud) {
    (void)ud;
    if (ask) return true;
    if (!out || t->type != GGML_TYPE_F32 || !ggml_is_contiguous(t)) return true;
    size_t n = ggml_nelements(t);
    float *buf = malloc(n * sizeof(float));
    ggml_backend_tensor_get(t, buf, 0, n * sizeof(float));
    int32_t nl = strlen(t->name);
    fwrite(&nl, 4, 1, out); fwrite(t->name, 1, nl, out);
    int64_t ne[4] = {t->ne[0], t->ne[1], t->ne[2], t->ne[3]};
    fwrite(ne, 8, 4, out);
    fwrite(buf, 4, n, out);
    free(buf);
    return true;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: dump MODEL OUTDIR STEPS TOKENS...\n"); return 2; }
    ggml_backend_load_all_from_path(getenv("GGML_BACKEND_DIR"));
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 1;
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 256; cp.n_batch = 256; cp.n_ubatch = 256;
    cp.n_threads = 2; cp.n_threads_batch = 2; cp.no_perf = true; cp.swa_full = false;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    // The KV cache's type: F32, or F16 (llama.cpp's default) when
    // KV_CACHE=f16.
    const char *kv = getenv("KV_CACHE");
    enum ggml_type kt = kv && strcmp(kv, "f16") == 0 ? GGML_TYPE_F16 : GGML_TYPE_F32;
    cp.type_k = kt; cp.type_v = kt;
    // FLASH_ATTN=on: flash attention (llama.cpp's default on the CPU).
    const char *fa = getenv("FLASH_ATTN");
    if (fa && strcmp(fa, "on") == 0) cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    cp.cb_eval = cb;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    int steps = atoi(argv[3]);
    int n = argc - 4;
    llama_token *toks = malloc(sizeof(llama_token) * (n + steps + 1));
    for (int i = 0; i < n; i++) toks[i] = atoi(argv[4 + i]);
    int nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
    char path[4096];
    llama_token *cur = toks; int cn = n;
    for (int s = 0; s < steps; s++) {
        snprintf(path, sizeof path, "%s/step-%02d.bin", argv[2], s);
        out = fopen(path, "wb");
        if (!out) { perror(path); return 1; }
        struct llama_batch b = llama_batch_get_one(cur, cn);
        if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed (prompt plus steps must fit 256 positions)\n"); return 1; }
        fclose(out); out = NULL;
        float *lg = llama_get_logits_ith(ctx, -1);
        int best = 0;
        for (int i = 1; i < nv; i++) if (lg[i] > lg[best]) best = i;
        printf("%d%s", best, s + 1 < steps ? " " : "\n");
        toks[n + s] = best; cur = &toks[n + s]; cn = 1;
    }
    llama_free(ctx); llama_model_free(model);
    return 0;
}
