// llamacpp-vocab-cut: IN.gguf OUT.gguf N NAME rewrites a model with its
// vocabulary cut to the first N tokens, through ggml's own GGUF reader and
// writer (gguf.cpp in node-llama-cpp's prebuilt libggml-base; see
// llamacpp-written.sh). Every array as long as tokenizer.ggml.tokens is
// cut to N entries, token_embd.weight and output.weight to their first N
// rows, and <arch>.vocab_size (if present) set to N; general.name becomes
// NAME, and general.description and tao's own keys (tao.*) are left out;
// everything else is copied. The special token ids must lie below N. The
// two cut tensors must be F32 or F16.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "gguf.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: llamacpp-vocab-cut IN.gguf OUT.gguf N NAME\n");
        return 2;
    }
    const size_t n = (size_t)atol(argv[3]);
    struct ggml_context *data = NULL;
    struct gguf_init_params ip = {.no_alloc = false, .ctx = &data};
    struct gguf_context *in = gguf_init_from_file(argv[1], ip);
    if (in == NULL) {
        fprintf(stderr, "llamacpp-vocab-cut: cannot read %s\n", argv[1]);
        return 1;
    }
    const int64_t tok = gguf_find_key(in, "tokenizer.ggml.tokens");
    if (tok < 0) {
        fprintf(stderr, "llamacpp-vocab-cut: %s has no tokenizer.ggml.tokens\n", argv[1]);
        return 1;
    }
    const size_t vocab = gguf_get_arr_n(in, tok);
    if (n == 0 || n > vocab) {
        fprintf(stderr, "llamacpp-vocab-cut: N must be in 1..%zu\n", vocab);
        return 1;
    }
    const char *ids[] = {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                         "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const int64_t k = gguf_find_key(in, ids[i]);
        if (k >= 0 && gguf_get_val_u32(in, k) >= n) {
            fprintf(stderr, "llamacpp-vocab-cut: %s %u is not below %zu\n", ids[i], gguf_get_val_u32(in, k), n);
            return 1;
        }
    }

    struct gguf_context *out = gguf_init_empty();
    gguf_set_kv(out, in);
    gguf_set_val_str(out, "general.name", argv[4]);
    gguf_remove_key(out, "general.description");
    for (int64_t k = 0; k < gguf_get_n_kv(in); k++) {
        const char *key = gguf_get_key(in, k);
        if (strncmp(key, "tao.", 4) == 0) {
            gguf_remove_key(out, key);
            continue;
        }
        if (gguf_get_kv_type(in, k) == GGUF_TYPE_ARRAY && gguf_get_arr_n(in, k) == vocab) {
            const enum gguf_type t = gguf_get_arr_type(in, k);
            if (t == GGUF_TYPE_STRING) {
                const char **s = malloc(n * sizeof *s);
                for (size_t i = 0; i < n; i++) {
                    s[i] = gguf_get_arr_str(in, k, i);
                }
                gguf_set_arr_str(out, key, s, n);
                free(s);
            } else {
                gguf_set_arr_data(out, key, t, gguf_get_arr_data(in, k), n);
            }
        }
        const size_t len = strlen(key);
        if (len > 11 && strcmp(key + len - 11, ".vocab_size") == 0) {
            gguf_set_val_u32(out, key, (uint32_t)n);
        }
    }

    struct ggml_init_params gp = {.mem_size = 2 * ggml_tensor_overhead() + 2 * n * 16384, .mem_buffer = NULL, .no_alloc = false};
    struct ggml_context *cut = ggml_init(gp);
    for (int64_t i = 0; i < gguf_get_n_tensors(in); i++) {
        const char *name = gguf_get_tensor_name(in, i);
        struct ggml_tensor *t = ggml_get_tensor(data, name);
        if (strcmp(name, "token_embd.weight") == 0 || strcmp(name, "output.weight") == 0) {
            if ((t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_F16) || (size_t)t->ne[1] != vocab ||
                ggml_row_size(t->type, t->ne[0]) * n > 16384 * n) {
                fprintf(stderr, "llamacpp-vocab-cut: cannot cut %s\n", name);
                return 1;
            }
            struct ggml_tensor *c = ggml_new_tensor_2d(cut, t->type, t->ne[0], (int64_t)n);
            ggml_set_name(c, name);
            memcpy(c->data, t->data, ggml_nbytes(c));
            t = c;
        }
        gguf_add_tensor(out, t);
    }
    if (!gguf_write_to_file(out, argv[2], false)) {
        fprintf(stderr, "llamacpp-vocab-cut: cannot write %s\n", argv[2]);
        return 1;
    }
    gguf_free(out);
    gguf_free(in);
    ggml_free(cut);
    ggml_free(data);
    return 0;
}
