#!/usr/bin/env python3
# ggufpy-write: IN.gguf OUT.gguf TYPE NAME [ALIGNMENT] rewrites a model
# tao synthesized (F32) through gguf-py, llama.cpp's Python GGUF package,
# as convert_hf_to_gguf.py would have written it from a Hugging Face
# checkpoint of the same weights (see ggufpy-written.sh):
#
#   - the vocabulary is cut to 1024 tokens, as llamacpp-vocab-cut.c does:
#     a SentencePiece ("llama") one to its first 1024; a BPE ("gpt2") one,
#     whose special tokens lie past 128000, to its first 1024-k tokens and
#     then its k special tokens (BOS, EOS and those the chat template
#     names), as a Hugging Face tokenizer lists added tokens after the
#     base vocabulary, with only the merges between kept tokens;
#     token_embd.weight and output.weight keep the matching rows;
#   - the weights become a Hugging Face state dict (model.layers.N.*,
#     q_proj and k_proj in Hugging Face's rotary layout for llama), which
#     is walked as convert_hf_to_gguf.py walks one: names in safetensors'
#     order (sorted), renamed by gguf.TensorNameMap, llama's q and k
#     permuted back (LlamaModel.permute), generated tensors
#     (rope_freqs.weight for rope_type llama3) first;
#   - each tensor is quantized by gguf.quants to TYPE (q8_0, q4_0, bf16 or
#     f16), except 1-D tensors and norms, which stay F32 (ModelBase.
#     prepare_tensors);
#   - the metadata is set with GGUFWriter's add_* methods in the order
#     prepare_metadata calls them (general.type, name and size label, the
#     model's hyperparameters and general.file_type, general.quantization_
#     version, then the vocabulary as TextModel.set_vocab and
#     gguf.SpecialVocab add it), LlamaModel's vocab_size and
#     rope.dimension_count for llama only; ALIGNMENT, if given, through
#     add_custom_alignment (which convert_hf_to_gguf.py never calls).
#
# Nothing is copied as raw bytes: GGUFWriter writes every key, tensor
# info, offset and padding. The output depends only on the input and
# gguf-py (and numpy, through the quantizers).
#
# usage: PYTHONPATH=build/llamacpp-src/gguf-py /usr/bin/python3 scripts/ggufpy-write.py IN.gguf OUT.gguf TYPE NAME [ALIGNMENT]
import sys

import numpy as np

import gguf

N_VOCAB = 1024

FTYPES = {
    "q8_0": (gguf.LlamaFileType.MOSTLY_Q8_0, gguf.GGMLQuantizationType.Q8_0),
    "q4_0": (gguf.LlamaFileType.MOSTLY_Q4_0, gguf.GGMLQuantizationType.Q4_0),
    "bf16": (gguf.LlamaFileType.MOSTLY_BF16, gguf.GGMLQuantizationType.BF16),
    "f16": (gguf.LlamaFileType.MOSTLY_F16, gguf.GGMLQuantizationType.F16),
}

# GGUF tensor names and their Hugging Face (LlamaForCausalLM,
# Qwen2ForCausalLM, Qwen3ForCausalLM) names.
HF_NAMES = {
    "token_embd.weight": "model.embed_tokens.weight",
    "output_norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
}
HF_BLOCK_NAMES = {
    "attn_norm.weight": "input_layernorm.weight",
    "attn_q.weight": "self_attn.q_proj.weight",
    "attn_k.weight": "self_attn.k_proj.weight",
    "attn_v.weight": "self_attn.v_proj.weight",
    "attn_q.bias": "self_attn.q_proj.bias",
    "attn_k.bias": "self_attn.k_proj.bias",
    "attn_v.bias": "self_attn.v_proj.bias",
    "attn_q_norm.weight": "self_attn.q_norm.weight",
    "attn_k_norm.weight": "self_attn.k_norm.weight",
    "attn_output.weight": "self_attn.o_proj.weight",
    "ffn_norm.weight": "post_attention_layernorm.weight",
    "ffn_gate.weight": "mlp.gate_proj.weight",
    "ffn_up.weight": "mlp.up_proj.weight",
    "ffn_down.weight": "mlp.down_proj.weight",
}


def hf_name(name):
    if name in HF_NAMES:
        return HF_NAMES[name]
    blk, bid, rest = name.split(".", 2)
    assert blk == "blk", name
    return f"model.layers.{bid}.{HF_BLOCK_NAMES[rest]}"


def permute(w, n_head):
    # LlamaModel.permute: Hugging Face's rotary layout to GGUF's.
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute(w, n_head):
    # The inverse: GGUF's rotary layout back to Hugging Face's.
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit("usage: ggufpy-write.py IN.gguf OUT.gguf TYPE NAME [ALIGNMENT]")
    src, out, qname, name = sys.argv[1:5]
    alignment = int(sys.argv[5]) if len(sys.argv) == 6 else None
    ftype, qtype = FTYPES[qname]

    r = gguf.GGUFReader(src)

    def kv(key, default=None):
        f = r.fields.get(key)
        return default if f is None else f.contents()

    arch = kv("general.architecture")
    a = arch + "."
    n_head = kv(a + "attention.head_count")
    n_head_kv = kv(a + "attention.head_count_kv", n_head)
    n_embd = kv(a + "embedding_length")
    # The Hugging Face config.json the converter would read.
    hparams = {
        "max_position_embeddings": kv(a + "context_length"),
        "hidden_size": n_embd,
        "intermediate_size": kv(a + "feed_forward_length"),
        "num_attention_heads": n_head,
        "num_key_value_heads": n_head_kv,
        "rope_theta": kv(a + "rope.freq_base"),
        "rms_norm_eps": kv(a + "attention.layer_norm_rms_epsilon"),
        "num_hidden_layers": kv(a + "block_count"),
        "head_dim": kv(a + "attention.key_length"),
    }
    model_arch = {"llama": gguf.MODEL_ARCH.LLAMA, "qwen2": gguf.MODEL_ARCH.QWEN2, "qwen3": gguf.MODEL_ARCH.QWEN3}[arch]

    # The vocabulary, cut.
    tok_model = kv("tokenizer.ggml.model")
    tokens = kv("tokenizer.ggml.tokens")
    toktypes = kv("tokenizer.ggml.token_type")
    scores = kv("tokenizer.ggml.scores")
    merges = kv("tokenizer.ggml.merges")
    template = kv("tokenizer.chat_template")
    special = {t: kv(f"tokenizer.ggml.{k}_token_id") for t, k in (("bos", "bos"), ("eos", "eos"), ("unk", "unknown"))}
    special = {t: i for t, i in special.items() if i is not None}
    if tok_model == "llama":
        rows = list(range(N_VOCAB))
        newid = {i: i for i in rows}
    elif tok_model == "gpt2":
        extra = sorted(set(special.values()) | {i for i, t in enumerate(tokens)
                                                 if toktypes[i] == gguf.TokenType.CONTROL and template and t in template})
        rows = list(range(N_VOCAB - len(extra))) + extra
        newid = {old: new for new, old in enumerate(rows)}
        base = set(tokens[: N_VOCAB - len(extra)])

        def kept(merge):
            left, right = merge.split(" ")
            return left in base and right in base and left + right in base

        merges = [m for m in merges if kept(m)]
    else:
        sys.exit(f"ggufpy-write: tokenizer {tok_model} not handled")
    for t, i in special.items():
        if i not in newid:
            sys.exit(f"ggufpy-write: {t} token {i} is not kept")
    special = {t: newid[i] for t, i in special.items()}
    tokens = [tokens[i] for i in rows]
    toktypes = [toktypes[i] for i in rows]
    if scores is not None:
        scores = [scores[i] for i in rows]
    hparams["vocab_size"] = N_VOCAB

    # The weights as a Hugging Face checkpoint (safetensors lists its
    # tensors sorted by name); rope_freqs.weight is no checkpoint tensor
    # but one that LlamaModel.generate_extra_tensors computes from
    # rope_scaling (rope_type llama3), which synth wrote with the same
    # factors.
    state = {}
    extra_tensors = []
    for t in r.tensors:
        data = np.array(t.data, dtype=np.float32)
        assert t.tensor_type == gguf.GGMLQuantizationType.F32, t.name
        if t.name in ("token_embd.weight", "output.weight"):
            data = data[rows]
        if t.name == "rope_freqs.weight":
            extra_tensors.append((t.name, data))
            continue
        if arch == "llama" and t.name.endswith("attn_q.weight"):
            data = unpermute(data, n_head)
        if arch == "llama" and t.name.endswith("attn_k.weight"):
            data = unpermute(data, n_head_kv)
        state[hf_name(t.name)] = (t.name, data)
    state = dict(sorted(state.items()))

    w = gguf.GGUFWriter(out, arch)
    if alignment is not None:
        w.add_custom_alignment(alignment)

    # ModelBase.prepare_tensors.
    tmap = gguf.get_tensor_name_map(model_arch, hparams["num_hidden_layers"])
    converted = list(extra_tensors)
    for hf, (orig, data) in state.items():
        new = tmap.get_name(hf, try_suffixes=(".weight", ".bias"))
        assert new == orig, (hf, new, orig)
        # Back to synth's bytes: permute undoes unpermute exactly.
        if arch == "llama" and hf.endswith("q_proj.weight"):
            data = permute(data, n_head)
        if arch == "llama" and hf.endswith("k_proj.weight"):
            data = permute(data, n_head_kv)
        converted.append((new, data))
    for new, data in converted:
        dtype = qtype
        if data.ndim <= 1 or new.endswith("_norm.weight") or new[-7:] != ".weight":
            dtype = gguf.GGMLQuantizationType.F32
        try:
            q = gguf.quants.quantize(data, dtype)
        except gguf.QuantError:
            dtype = gguf.GGMLQuantizationType.F16
            q = gguf.quants.quantize(data, dtype)
        w.add_tensor(new, q, raw_dtype=dtype)

    # ModelBase.prepare_metadata.
    total = w.get_total_parameter_count()
    meta = gguf.Metadata.load(None, None, name, total[0])
    if meta.size_label is None and total[0] > 0:
        meta.size_label = gguf.size_label(*total)
    w.add_type(gguf.GGUFType.MODEL)
    meta.set_gguf_meta_model(w)
    # TextModel.set_gguf_parameters (then LlamaModel's).
    w.add_block_count(hparams["num_hidden_layers"])
    w.add_context_length(hparams["max_position_embeddings"])
    w.add_embedding_length(hparams["hidden_size"])
    w.add_feed_forward_length(hparams["intermediate_size"])
    w.add_head_count(hparams["num_attention_heads"])
    w.add_head_count_kv(hparams["num_key_value_heads"])
    w.add_rope_freq_base(hparams["rope_theta"])
    w.add_layer_norm_rms_eps(hparams["rms_norm_eps"])
    if hparams["head_dim"] is not None:
        w.add_key_length(hparams["head_dim"])
        w.add_value_length(hparams["head_dim"])
    w.add_file_type(ftype)
    if arch == "llama":
        w.add_vocab_size(hparams["vocab_size"])
        w.add_rope_dimension_count(hparams["head_dim"] or hparams["hidden_size"] // hparams["num_attention_heads"])
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    # TextModel.set_vocab: _set_vocab_sentencepiece or _set_vocab_gpt2,
    # then gguf.SpecialVocab.add_to_gguf.
    if tok_model == "llama":
        w.add_tokenizer_model("llama")
        w.add_tokenizer_pre("default")
        w.add_token_list([t.encode("utf-8") for t in tokens])
        w.add_token_scores(scores)
        w.add_token_types(toktypes)
    else:
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre(kv("tokenizer.ggml.pre"))
        w.add_token_list(tokens)
        w.add_token_types(toktypes)
        w.add_token_merges(merges)
    for t, i in special.items():
        getattr(w, f"add_{t}_token_id")(i)
    w.add_add_bos_token(kv("tokenizer.ggml.add_bos_token"))
    w.add_add_eos_token(kv("tokenizer.ggml.add_eos_token"))
    w.add_chat_template(template)

    # ModelBase.write.
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
