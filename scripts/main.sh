#!/usr/bin/env bash
# Reckon's main job on the shipped defaults: builds, makes a held-out test set from the
# `mathglm` recipe in each step format, checks every chain exactly, describes the set, and —
# when a model is shipped in Checkpoints/reckon-mathglm — solves and evaluates with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product reckon
reckon=.build/release/reckon
out=runs/main
mkdir -p "$out"

echo "== A few held-out questions, solved by the generator in each format"
for format in direct mathglm scratch; do
  echo "-- $format"
  "$reckon" generate --recipe mathglm --split test --count 3 --seed 1 --format "$format"
done

echo
echo "== 2,000 held-out mathglm questions in each format → $out/"
for format in direct mathglm scratch; do
  "$reckon" generate --recipe mathglm --split test --count 2000 --seed 1 --format "$format" --out "$out/test-$format.txt"
  "$reckon" verify "$out/test-$format.txt"
done

echo
echo "== The mathglm recipe against MathGLM's test-set shape (ANCHORS.md)"
"$reckon" stats --recipe mathglm --count 20000

model=Checkpoints/reckon-mathglm
count=${EVAL_COUNT:-300}   # 2,000 take 12 minutes: the shipped model writes chains of up to 3,072 tokens
if [ -f "$model/config.json" ]; then
  echo
  echo "== The shipped model solves three held-out questions (the chain is the model's own)"
  head -3 "$out/test-direct.txt" | cut -d= -f1 > "$out/three-questions.txt"
  while read -r question; do
    "$reckon" solve "$question" --checkpoint "$model"
    echo
  done < "$out/three-questions.txt"
  echo "== The shipped model on $count held-out mathglm questions"
  "$reckon" eval --checkpoint "$model" --recipe mathglm --count "$count" --seed 1 --out "$out/eval"
  echo "report: $out/eval/report.md"
else
  echo
  echo "(No model is shipped in $model yet: train one with 'reckon train', or see 'bash scripts/pipeline.sh'.)"
fi
