#!/usr/bin/env bash
# Reproduces the Crafter evidence of docs/crafter.md (each step resumes if rerun):
#   1. the random policy: `disco env-stats` with 5 seeds x 1000 episodes, for comparison with the
#      original's random agent (danijar/crafter scores/crafter_noreward-random.json);
#   2. Disco103, actor-critic and PPO on Crafter (symbolic observation) at 1M frames, seeds 0-2,
#      with the `crafter` preset (not tuned: each rule's defaults, with 64 environments for the
#      two replay-based rules so that a run takes ~15-20 minutes on one core).
# Usage: experiments/crafter_evidence.sh [RUNS_DIR]   (default runs/crafter); JOBS=2 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/crafter}
disco=./build/disco
mkdir -p "$out/random"
for seed in 0 1 2 3 4; do
  $disco env-stats --env crafter --policy random --episodes 1000 --seed $seed \
    > "$out/random/seed$seed.json"
done
$disco eval --rules disco103,actor_critic,ppo --preset crafter --envs crafter --seeds 3 \
  --frames 1000000 --jobs "${JOBS:-2}" --threads 1 --out "$out/eval"
