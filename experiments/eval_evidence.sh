#!/usr/bin/env bash
# Reproduces the evaluation evidence of docs/evaluation.md (each step resumes if rerun):
#   1. the reference scores of the grid worlds and MinAtar: PPO with CleanRL's defaults at 500k
#      frames, 2 seeds (the values in src/eval/reference_scores.cc);
#   2. Disco103, actor-critic and PPO with their defaults on the small suite: 5 seeds, 30k frames;
#   3. the same rules tuned with equal budgets (experiments/eval_grid_lr.json: each rule's
#      default learning rate and one other) on Catch 5x5 with seeds 0-1, then evaluated on
#      DeepSea 6 and the tiny grid world with seeds 2-6, 30k frames;
#   4. the three rules with their defaults on MinAtar Breakout and Space Invaders: 3 seeds,
#      100k frames;
#   5. the same rules tuned with equal budgets on MinAtar (experiments/eval_grid_minatar.json:
#      each rule's default learning rate and one other) on Breakout with seeds 0-1, then
#      evaluated on Space Invaders with seeds 2-4, 100k frames (the `minatar` preset).
# Usage: experiments/eval_evidence.sh [RUNS_DIR]   (default runs/eval); one run at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/eval}
disco=./build/disco
rules=disco103,actor_critic,ppo
run() { $disco eval --jobs 1 --threads 1 "$@"; }

run --rules ppo --seeds 2 --frames 500000 --out "$out/reference_ppo" \
  --envs "minatar_asterix;minatar_breakout;minatar_freeway;minatar_seaquest;minatar_space_invaders;gridworld(layout=dense);gridworld(layout=sparse);gridworld(layout=long);gridworld(layout=longer);gridworld(layout=long_dense);gridworld(layout=rand_tiny)"
run --rules $rules --envs small --seeds 5 --frames 30000 --out "$out/small"
run --rules $rules --grid experiments/eval_grid_lr.json --tune-envs "catch(rows=5,columns=5)" \
  --tune-seeds 2 --envs "deep_sea(size=6);gridworld(layout=rand_tiny)" --seeds 5 --frames 30000 \
  --out "$out/small_tuned"
run --rules $rules --envs "minatar_breakout;minatar_space_invaders" --seeds 3 --frames 100000 \
  --out "$out/minatar"
run --rules $rules --grid experiments/eval_grid_minatar.json --tune-envs minatar_breakout \
  --tune-seeds 2 --envs minatar_space_invaders --seeds 3 --frames 100000 --out "$out/minatar_tuned"
