#!/usr/bin/env python3
"""Hugging Face transformers baseline and HBM roofline for bench/gpu/run.sh.

Loads LlamaForCausalLM from a checkpoint that `tao model export
--safetensors` wrote from the GGUF tao runs (--model-dir; the same weights),
or builds one of a tao synthetic preset's shape with random weights
(--preset; inference/synth/preset.go), in BF16 on the GPU, and measures what
a user of transformers gets: prefill tokens/s of one prompt, and greedy
decode tokens/s at several batch sizes through the model's own KV cache
(eager PyTorch, SDPA attention, no torch.compile). It also measures the
card's memory bandwidth with a device-to-device copy, for the roofline:
the weight bytes a decode step reads / bandwidth is the least time a batch-1
step can take. With --parity-ids it decodes greedily from those prompt
token ids in float32 (the exported bf16 weights widened exactly, so ties
are not made by bf16 logits, whose step is 1/16 near 10) and reports the
tokens and top-2 margins, to compare with tao's on the same weights (an
implementation independent of tao's); the speed figures then run in bf16.

Prints one JSON object.
"""
import argparse
import json
import time

import torch

# Mirrors inference/synth/preset.go.
PRESETS = {
    "stories15m": dict(hidden_size=288, num_hidden_layers=6, num_attention_heads=6, num_key_value_heads=6,
                       intermediate_size=768, vocab_size=32000, max_position_embeddings=512, rope_theta=10000.0),
    "tinyllama1b": dict(hidden_size=2048, num_hidden_layers=22, num_attention_heads=32, num_key_value_heads=4,
                        intermediate_size=5632, vocab_size=32000, max_position_embeddings=2048, rope_theta=10000.0),
    "llama3-8b": dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                      intermediate_size=14336, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0),
}


def sync():
    torch.cuda.synchronize()


def bandwidth(gib=4, reps=20):
    n = gib << 30
    x = torch.empty(n, dtype=torch.uint8, device="cuda")
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    sync()
    t = time.perf_counter()
    for _ in range(reps):
        y.copy_(x)
    sync()
    dt = time.perf_counter() - t
    del x, y
    torch.cuda.empty_cache()
    return 2 * n * reps / dt  # a copy reads and writes every byte


@torch.inference_mode()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="tinyllama1b")
    ap.add_argument("--prompt", type=int, default=512)
    ap.add_argument("--decode", type=int, default=128)
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--model-dir", help="checkpoint written by tao model export --safetensors")
    ap.add_argument("--parity-ids", help="comma-separated prompt token ids to decode greedily")
    ap.add_argument("--parity-tokens", type=int, default=32)
    ap.add_argument("--parity-only", action="store_true", help="skip the speed figures")
    a = ap.parse_args()
    import transformers
    from transformers import LlamaConfig, LlamaForCausalLM

    res = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
           "transformers": transformers.__version__, "preset": a.preset, "dtype": "bf16"}
    res["copy_bandwidth_bytes_s"] = bandwidth()
    if a.model_dir:
        dt = torch.float32 if a.parity_ids else torch.bfloat16
        try:  # straight onto the GPU where accelerate is installed
            model = LlamaForCausalLM.from_pretrained(a.model_dir, dtype=dt, device_map="cuda")
        except (ImportError, ValueError):
            model = LlamaForCausalLM.from_pretrained(a.model_dir, dtype=dt).to("cuda")
        model.eval()
        cfg = model.config
        res["weights"] = "tao model export of the GGUF tao ran"
    else:
        cfg = LlamaConfig(**PRESETS[a.preset], rms_norm_eps=1e-5, tie_word_embeddings=False,
                          bos_token_id=1, eos_token_id=2)
        torch.manual_seed(0)
        with torch.device("cuda"):
            model = LlamaForCausalLM(cfg).to(torch.bfloat16).eval()
        res["weights"] = "random, preset shape"
    if a.parity_ids:
        ids = torch.tensor([[int(x) for x in a.parity_ids.split(",")]], device="cuda")
        out = model(ids, use_cache=True)
        past, toks, margins = out.past_key_values, [], []
        for _ in range(a.parity_tokens):
            logits = out.logits[0, -1].float()
            top = torch.topk(logits, 2)
            toks.append(int(top.indices[0]))
            margins.append(float(top.values[0] - top.values[1]))
            out = model(top.indices[:1].view(1, 1), past_key_values=past, use_cache=True)
            past = out.past_key_values
        res["parity"] = {"prompt_ids": [int(x) for x in a.parity_ids.split(",")], "tokens": toks, "top2_margins": margins}
        res["parity"]["dtype"] = "float32"
        if a.parity_only:
            print(json.dumps(res))
            return
        model.to(torch.bfloat16)
        torch.cuda.empty_cache()
    res["weight_bytes"] = sum(p.numel() * p.element_size() for p in model.parameters())
    # A decode step reads every weight but the embedding table (one row),
    # unless the table is also the output layer.
    emb = model.get_input_embeddings().weight
    res["decode_weight_bytes"] = res["weight_bytes"] - (0 if cfg.tie_word_embeddings else emb.numel() * emb.element_size())
    res["roofline_tok_s"] = res["copy_bandwidth_bytes_s"] / res["decode_weight_bytes"]

    res["attn_implementation"] = getattr(model.config, "_attn_implementation", "?")

    ids = torch.randint(3, cfg.vocab_size, (1, a.prompt), device="cuda")
    best = 0.0
    for _ in range(4):
        sync()
        t = time.perf_counter()
        model(ids, use_cache=False)
        sync()
        best = max(best, a.prompt / (time.perf_counter() - t))
    res["prefill_tok_s"] = best

    res["decode"] = []
    for b in [int(x) for x in a.batches.split(",")]:
        best = 0.0
        for _ in range(3):
            ids = torch.randint(3, cfg.vocab_size, (b, 2), device="cuda")
            out = model(ids, use_cache=True)
            past = out.past_key_values
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
            sync()
            t = time.perf_counter()
            for _ in range(a.decode):
                out = model(nxt, past_key_values=past, use_cache=True)
                past = out.past_key_values
                nxt = out.logits[:, -1].argmax(-1, keepdim=True)
            sync()
            best = max(best, b * a.decode / (time.perf_counter() - t))
        res["decode"].append({"batch": b, "tok_s": best})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
