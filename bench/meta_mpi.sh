#!/usr/bin/env bash
# Meta-training across ranks: meta-steps per second of `disco meta-train` at
# the notebook's sizes with K = 1 and 2 ranks (one thread each) for P = 2 and
# 4 agents, and the scaling ratio K=2 / K=1 (goal: >= 1.8 at P = 4 on a
# machine with 2 free cores). The rate is read from the run's own clock
# (meta_metrics.csv, elapsed_s) over meta-steps 2..N, so process start-up
# and the first step's allocations are not counted.
#
#   bench/meta_mpi.sh [BUILD_DIR] [META_STEPS]     (defaults: build 5)
set -euo pipefail
build=${1:-build}
steps=${2:-5}
disco="$build/disco"
[ -x "$disco" ] || { echo "meta_mpi.sh: no $disco (build first)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "meta_mpi.sh: no mpirun (scripts/setup.sh installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"log_every": 1, "checkpoint_every": 1000, "rule_every": 1000}' >"$work/config.json"

# Meta-steps per second over steps 2..N of one run.
rate() {
  local ranks=$1 population=$2 out="$work/k$1-p$2"
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$ranks" \
    "$disco" meta-train --threads 1 --population "$population" --meta-steps "$steps" \
    --config "$work/config.json" --out "$out" >/dev/null
  awk -F, -v n="$steps" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "elapsed_s") c = i }
       NR == 2 { first = $c } NR == n + 1 { last = $c }
       END { printf "%.4f", (n - 1) / (last - first) }' "$out/meta_metrics.csv"
}

printf "%-12s %-12s %-12s %s\n" "agents" "K=1 steps/s" "K=2 steps/s" "scaling K=2/K=1"
for population in 2 4; do
  one=$(rate 1 "$population")
  two=$(rate 2 "$population")
  printf "%-12s %-12s %-12s %s\n" "P=$population" "$one" "$two" \
    "$(awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
done
