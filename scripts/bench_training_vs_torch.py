#!/usr/bin/env python3
"""Interleaved training-throughput comparison: `reckon bench train` vs the PyTorch reference.

Runs the reference's three configurations, alternating the two implementations (A B A B ...),
and prints a markdown table of medians. Each run's share of CPU used by *other* processes is
recorded (the reference reports its own; for reckon it is measured here from /proc/stat and
the child's rusage), and runs above --max-foreign are repeated up to --retries times.

Usage (from the repo root, after `swift build -c release`):
  python3 scripts/bench_training_vs_torch.py --torch-python /root/torchvenv/bin/python \
      --bench ../shared/bench/torch_gpt_bench.py --reckon .build/release/reckon --reps 3 [--nice -10]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import time

CONFIGS = [  # name, layers, d_model, heads, ctx, batch, timed steps
    ("tiny", 4, 128, 4, 128, 32, 20),
    ("small", 6, 256, 8, 256, 16, 8),
    ("medium", 8, 512, 8, 256, 8, 5),
]


def cpu_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)


def run_json(cmd):
    """Runs cmd; returns (parsed JSON line, foreign CPU fraction over the whole run)."""
    hz, ncpu = os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    b0, t0 = cpu_busy(), time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    b1, t1 = cpu_busy(), time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    foreign = max(0.0, ((b1 - b0) / hz - child) / ((t1 - t0) * ncpu))
    line = next(l for l in out.splitlines() if l.startswith("JSON "))
    return json.loads(line[5:]), foreign


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torch-python", required=True)
    ap.add_argument("--bench", required=True, help="path to torch_gpt_bench.py")
    ap.add_argument("--reckon", required=True, help="path to the reckon executable")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-foreign", type=float, default=0.05)
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--only", default=None, help="comma-separated config names")
    ap.add_argument("--nice", type=int, default=None,
                    help="run both implementations under `nice -n N` (N < 0 needs root): on a shared "
                         "machine this keeps other jobs from skewing either side")
    args = ap.parse_args()

    rows = []
    for name, L, d, H, T, B, steps in CONFIGS:
        if args.only and name not in args.only.split(","):
            continue
        shape = ["--layers", str(L), "--d-model", str(d), "--heads", str(H), "--ctx", str(T),
                 "--batch", str(B), "--steps", str(steps), "--threads", str(args.threads)]
        prefix = ["nice", "-n", str(args.nice)] if args.nice is not None else []
        torch_cmd = [*prefix, args.torch_python, args.bench, "--mode", "train", *shape, "--json"]
        reckon_cmd = [*prefix, args.reckon, "bench", "train", *shape, "--json"]
        res = {"torch": [], "reckon": []}
        for rep in range(args.reps):
            for impl, cmd in (("torch", torch_cmd), ("reckon", reckon_cmd)):
                for attempt in range(args.retries + 1):
                    j, foreign = run_json(cmd)
                    if impl == "torch" and j.get("foreign_cpu_frac") is not None:
                        foreign = j["foreign_cpu_frac"]
                    if foreign <= args.max_foreign or attempt == args.retries:
                        break
                res[impl].append((j["train_tokens_per_s"], j["train_gflops"], j["train_ms_per_step_median"],
                                  j.get("peak_rss_bytes"), foreign))
                print(f"{name} rep {rep} {impl:6s} {j['train_tokens_per_s']:10.1f} tok/s  "
                      f"{j['train_gflops']:6.1f} GFLOP/s  other CPU {100 * foreign:4.1f}%", flush=True)
        med = {k: statistics.median(x[0] for x in v) for k, v in res.items()}
        gfl = {k: statistics.median(x[1] for x in v) for k, v in res.items()}
        ms = {k: statistics.median(x[2] for x in v) for k, v in res.items()}
        rss = max(x[3] or 0 for x in res["reckon"]) / 2**20
        worst = max(x[4] for v in res.values() for x in v)
        rows.append(f"| {name} | {L}/{d}/{H}/{T}/{B} | {med['torch']:,.0f} | {med['reckon']:,.0f} | "
                    f"**{med['reckon'] / med['torch']:.2f}×** | {ms['torch']:.0f} / {ms['reckon']:.0f} | "
                    f"{gfl['torch']:.0f} / {gfl['reckon']:.0f} | {rss:.0f} | {100 * worst:.1f}% |")
    print()
    print("| config | L/d/H/ctx/B | torch tok/s | reckon tok/s | ratio | ms/step median (torch / reckon) "
          "| GFLOP/s (torch / reckon) | reckon peak RSS MiB | max other-CPU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
