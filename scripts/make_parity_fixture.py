#!/usr/bin/env python3
"""Writes the end-to-end parity fixtures for Tests/ReckonModelTests (llm.c's method).

Builds the PyTorch reference GPT (imported from shared/bench/torch_gpt_bench.py, the model
Reckon must match) with fixed, deliberately non-trivial weights, runs one forward/backward in
float64 on a fixed batch with some targets masked, and stores into one safetensors file:

  <param name>        weights, reference state_dict names           (F32)
  grad.<param name>   d loss / d param                              (F32)
  tokens, targets     (B, T) as F32; masked targets are -1
  logits              (B, T, V)
  loss                (1,) mean cross-entropy over unmasked targets
  __metadata__        layers, d_model, heads, ctx, vocab, positions

Two fixtures: learned absolute positions (the reference model as is) and RoPE (the reference
attention with rotate-half rotary embeddings on q and k, base 10000, no wpe).

Usage:  python3 scripts/make_parity_fixture.py [--bench-dir ../shared/bench]
Needs torch and safetensors; CI only runs the Swift side against the committed files.
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F


def rope_attention_forward(attn, x):
    """CausalSelfAttention.forward with rotary embeddings on q and k."""
    q, k, v = attn._split(x)                      # [B, H, T, hd]
    T, hd = q.shape[2], q.shape[3]
    half = hd // 2
    inv = torch.tensor([10000.0 ** (-2 * i / hd) for i in range(half)], dtype=x.dtype)
    ang = torch.arange(T, dtype=x.dtype)[:, None] * inv[None, :]   # [T, half]
    cos, sin = ang.cos(), ang.sin()

    def rot(t):
        a, b = t[..., :half], t[..., half:]
        return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)

    y = F.scaled_dot_product_attention(rot(q), rot(k), v, is_causal=True)
    return attn._merge(y)


def build(ref, layers, d, heads, ctx, vocab, positions, seed):
    torch.manual_seed(seed)
    model = ref.GPT(vocab, ctx, layers, d, heads)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Larger than the 0.02 init so every path carries signal; LN gains around 1.
            base = 1.0 if (".ln" in name or name.startswith("ln_f")) and name.endswith("weight") else 0.0
            p.copy_(base + 0.3 * torch.randn(p.shape, generator=g))
            p.copy_(p.float())   # weights exactly representable in F32
    if positions == "rope":
        del model.wpe
        for blk in model.blocks:
            blk.attn.forward = (lambda a: (lambda x: rope_attention_forward(a, x)))(blk.attn)
    return model.double()


def run(model, tokens, targets, positions):
    B, T = tokens.shape
    x = model.wte(tokens)
    if positions == "learned":
        x = x + model.wpe(torch.arange(T))
    for blk in model.blocks:
        x = blk(x)
    logits = model.logits(x)
    tgt = targets.clone()
    tgt[tgt < 0] = -100
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt.reshape(-1), ignore_index=-100)
    return logits, loss


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bench-dir", default=os.path.join(here, "..", "..", "shared", "bench"))
    ap.add_argument("--out-dir", default=os.path.join(here, "..", "Tests", "ReckonModelTests", "Fixtures"))
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.bench_dir))
    import torch_gpt_bench as ref
    from safetensors.torch import save_file

    torch.set_default_dtype(torch.float32)
    configs = [
        ("parity_learned.safetensors", dict(layers=2, d=32, heads=4, ctx=16, vocab=40, positions="learned", seed=1)),
        ("parity_rope.safetensors", dict(layers=1, d=32, heads=2, ctx=16, vocab=24, positions="rope", seed=2)),
    ]
    for fname, c in configs:
        model = build(ref, c["layers"], c["d"], c["heads"], c["ctx"], c["vocab"], c["positions"], c["seed"])
        B, T = 2, c["ctx"]
        g = torch.Generator().manual_seed(c["seed"] + 7)
        tokens = torch.randint(0, c["vocab"], (B, T), generator=g)
        targets = torch.randint(0, c["vocab"], (B, T), generator=g)
        targets[0, :5] = -1          # a masked prompt
        targets[1, 12:] = -1         # masked padding
        model.zero_grad()
        logits, loss = run(model, tokens, targets, c["positions"])
        loss.backward()
        out = {}
        for name, p in model.named_parameters():
            out[name] = p.detach().float().contiguous()
            out["grad." + name] = p.grad.detach().float().contiguous()
        out["tokens"] = tokens.float()
        out["targets"] = targets.float()
        out["logits"] = logits.detach().float().contiguous()
        out["loss"] = loss.detach().float().reshape(1)
        meta = {k: str(v) for k, v in c.items() if k != "seed"}
        path = os.path.join(args.out_dir, fname)
        save_file(out, path, metadata=meta)
        print(f"{path}: loss {loss.item():.6f}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
