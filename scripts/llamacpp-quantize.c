// llamacpp-quantize: IN.gguf OUT.gguf FTYPE through llama.cpp's
// llama_model_quantize (see llamacpp-quantize.sh).
#include <stdio.h>
#include <stdlib.h>

#include "llama.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: llamacpp-quantize IN.gguf OUT.gguf FTYPE\n");
        return 2;
    }
    llama_backend_init();
    struct llama_model_quantize_params p = llama_model_quantize_default_params();
    p.ftype = (enum llama_ftype)atoi(argv[3]);
    p.nthread = 2;
    if (llama_model_quantize(argv[1], argv[2], &p) != 0) {
        fprintf(stderr, "llamacpp-quantize: llama.cpp could not quantize %s\n", argv[1]);
        return 1;
    }
    return 0;
}
