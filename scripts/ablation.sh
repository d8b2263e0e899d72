#!/usr/bin/env bash
# The step-format ablation (MathGLM's central finding, on our formats): the same model, the same
# training budget and the same held-out questions for `direct`, `mathglm` and `scratch`.
#
#   bash scripts/ablation.sh [minutes per format] [recipe] [preset]    (defaults: 20 ablation tiny)
#
# Writes runs/ablation/<format>/ (checkpoint, log, eval report) and runs/ablation/comparison.md
# with curves.svg. Needs an otherwise idle machine: the budget is wall-clock minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-20}
recipe=${2:-ablation}
preset=${3:-tiny}
bash scripts/setup.sh
swift build -c release --product reckon
reckon=.build/release/reckon
out=runs/ablation
mkdir -p "$out"
for format in direct mathglm scratch; do
  echo "== $format: $preset model, $minutes minutes on $recipe"
  rm -rf "$out/$format"
  "$reckon" train --recipe "$recipe" --format "$format" --preset "$preset" --positions abacus --context 768 \
    --minutes "$minutes" --seed 1 --eval-every 250 --eval-count 64 --out "$out/$format"
  "$reckon" eval --checkpoint "$out/$format" --recipe "$recipe" --count 1000 --seed 7 --out "$out/$format/eval"
done
"$reckon" compare "$out/direct" "$out/mathglm" "$out/scratch" --out "$out" \
  --title "Step formats, $preset model, $minutes minutes each on the $recipe recipe"
