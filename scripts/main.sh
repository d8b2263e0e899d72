#!/usr/bin/env bash
# Reckon's main job on the shipped defaults: builds, makes a held-out test set from the
# `mathglm` recipe in each step format, checks every chain exactly, and describes the set.
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
