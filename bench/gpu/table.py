#!/usr/bin/env python3
"""Prints the markdown table of bench/gpu/run.sh for one model: tao's
figures (tao bench inference --json), transformers' (hf_bench.py), their
ratios, the HBM roofline at batch 1, and the greedy-token parity of tao
(tao generate --json) against transformers on the same exported weights.

usage: table.py NAME TAO_BENCH.json HF.json [TAO_GENERATE.json]
"""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"({path}: {e})")
        return None


def main():
    name, tao, hf = sys.argv[1], load(sys.argv[2]), load(sys.argv[3])
    gen = load(sys.argv[4]) if len(sys.argv) > 4 else None
    if isinstance(tao, list):
        tao = tao[0] if tao else None
    t = {b["batch"]: b["tok_s"] for b in (tao or {}).get("batches", [])}
    h = {d["batch"]: d["tok_s"] for d in (hf or {}).get("decode", [])}
    if tao is None and "decode" not in (hf or {}):
        print(f"{name}: no speed figures (MODE=parity)")
    else:
        speed(name, tao, hf, t, h)
    if gen and hf and "parity" in hf:
        a, b = gen["tokens"], hf["parity"]["tokens"]
        n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        line = (f"Greedy parity against transformers ({hf['parity'].get('dtype', 'bf16')}) on the exported weights: "
                f"{n} of {min(len(a), len(b))} tokens equal")
        if n < min(len(a), len(b)):
            line += f"; first difference at step {n} (tao {a[n]}, transformers {b[n]}; transformers' top-2 margin there {hf['parity']['top2_margins'][n]:.4f})"
        print(line + ".")


def speed(name, tao, hf, t, h):
    print(f"| {name}, tok/s | tao (CUDA) | transformers (bf16) | tao ÷ transformers |")
    print("| --- | --- | --- | --- |")
    for b in sorted(set(t) | set(h)):
        r = f"{t[b] / h[b]:.1f}×" if b in t and b in h and h[b] else "–"
        print(f"| decode, batch {b} | {t.get(b, 0):,.0f} | {h.get(b, 0):,.1f} | {r} |")
    tp, hp = (tao or {}).get("prefill_tok_s", 0), (hf or {}).get("prefill_tok_s", 0)
    print(f"| prefill | {tp:,.0f} | {hp:,.0f} | {tp / hp:.1f}× |" if hp else f"| prefill | {tp:,.0f} | – | – |")
    if hf and tao and 1 in t:
        bw = hf["copy_bandwidth_bytes_s"]
        wb = tao.get("gpu_weight_bytes") or hf["decode_weight_bytes"]
        roof = bw / wb
        print(f"\nHBM: copy bandwidth {bw / 1e12:.2f} TB/s; {wb / 1e9:.2f} GB read per decode step "
              f"(transformers counts {hf['decode_weight_bytes'] / 1e9:.2f} GB) → roofline {roof:,.0f} tok/s; "
              f"tao batch 1 = {100 * t[1] / roof:.0f}% of it, transformers {100 * h.get(1, 0) / roof:.0f}%.")


if __name__ == "__main__":
    main()
