#!/usr/bin/env bash
# The whole pipeline from scratch on a small budget, so every stage can be seen working:
# generate a corpus and a held-out set, train a tiny model for a few minutes (progress bar),
# evaluate it on the held-out set and write the report.
#   bash scripts/pipeline.sh [minutes] [recipe]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
recipe=${2:-basic}
bash scripts/setup.sh
swift build -c release --product reckon
reckon=.build/release/reckon
out=runs/pipeline-$recipe
rm -rf "$out"; mkdir -p "$out"

echo "== 1. generate: 200,000 training examples and 500 held-out questions ($recipe recipe)"
"$reckon" generate --recipe "$recipe" --count 200000 --seed 1 --out "$out/train.txt"
"$reckon" generate --recipe "$recipe" --split test --count 500 --seed 1 --out "$out/test.txt"
"$reckon" verify "$out/train.txt" | tail -1
head -3 "$out/train.txt"

echo
echo "== 2. train: tiny model, $minutes minutes"
"$reckon" train --corpus "$out/train.txt" --heldout "$out/test.txt" --preset tiny --out "$out/model" \
  --minutes "$minutes" --eval-every 200 --eval-count 64 --checkpoint-every 200

echo
echo "== 3. evaluate on the held-out questions"
"$reckon" eval --checkpoint "$out/model" --recipe "$recipe" --count 500 --seed 1 --out "$out/report"
echo
echo "report: $out/report/report.md"
