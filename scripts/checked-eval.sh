#!/usr/bin/env bash
# The shipped model on held-out mathglm questions with --check-subtractions, which take hours on
# 2 cores (session 67: 8 parts of 250 took 11 to 18 minutes each; session 66's single run of the
# 2,000 was stopped unfinished after two hours). The questions are solved in parts, each kept in
# DIR as soon as it is done: run the same command again to solve the parts still missing. Once
# every part is there, `reckon eval --answers` grades them all together into DIR/report.md.
# --fresh-context lets a chain the context cuts off go on from its last whole step.
#   usage: bash scripts/checked-eval.sh [DIR]      (default DIR: Benchmarks/checked-eval)
#   env:   COUNT=2000 PARTS=8 SEED=1 CHECKS=10 THREADS=<all cores>
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-Benchmarks/checked-eval}
count=${COUNT:-2000} parts=${PARTS:-8} seed=${SEED:-1} checks=${CHECKS:-10}
bash scripts/setup.sh
swift build -c release --product reckon
reckon=.build/release/reckon
mkdir -p "$dir"

# The questions, one per line: the same for any step format.
questions="$dir/questions.txt"
if [ ! -f "$questions" ]; then
  "$reckon" generate --recipe mathglm --split test --count "$count" --seed "$seed" --format direct --out "$dir/chains.tmp"
  cut -d= -f1 "$dir/chains.tmp" > "$questions.tmp" && rm "$dir/chains.tmp" && mv "$questions.tmp" "$questions"
fi
size=$(( (count + parts - 1) / parts ))
for k in $(seq 1 "$parts"); do
  [ -f "$dir/part$k.jsonl" ] && continue
  sed -n "$(( (k - 1) * size + 1 )),$(( k * size ))p" "$questions" > "$dir/part$k.txt"
  echo "== part $k of $parts: $(wc -l < "$dir/part$k.txt") questions"
  # solve exits 1 when a chain reached no number; its answers are still written, and graded as wrong.
  "$reckon" solve --input "$dir/part$k.txt" --output "$dir/part$k.jsonl" --check-subtractions "$checks" --fresh-context \
    ${THREADS:+--threads "$THREADS"} || [ -f "$dir/part$k.jsonl" ]
  rm "$dir/part$k.txt"
done
"$reckon" eval --recipe mathglm --count "$count" --seed "$seed" --check-subtractions "$checks" --fresh-context \
  --answers "$dir"/part*.jsonl --out "$dir"
