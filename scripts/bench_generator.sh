#!/usr/bin/env bash
# Generation speed, side by side: Reckon's GeneratorBenchmark (mathglm recipe, 1 thread and all
# cores) and the plain Python generator in Benchmarks/, interleaved A B A B, medians.
#   bash scripts/bench_generator.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build -c release --product GeneratorBenchmark >/dev/null
for i in $(seq "$rounds"); do
  .build/release/GeneratorBenchmark Generators/mathglm.json 1000000 1 | grep threads
  python3 Benchmarks/python_mathglm_generator.py 50000 1
done | tee /tmp/reckon-bench-generator.txt
python3 - <<'PY'
import re, statistics
text = open("/tmp/reckon-bench-generator.txt").read()
one = [float(x) for x in re.findall(r"threads 1:\s+(\d+)", text)]
many = [float(x) for x in re.findall(r"threads [2-9]\d*:\s+(\d+)", text)]
py = [float(x) for x in re.findall(r"python: (\d+)", text)]
m1, mn, mp = statistics.median(one), statistics.median(many), statistics.median(py)
print(f"median: Reckon 1 thread {m1:,.0f}/s, all cores {mn:,.0f}/s; Python 1 core {mp:,.0f}/s")
print(f"ratios: Reckon 1 thread / Python = {m1 / mp:.1f}x, all cores / Python = {mn / mp:.1f}x")
PY
