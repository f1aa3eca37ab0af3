#!/usr/bin/env bash
# Reproduces the meta-training figures of docs/meta_training.md:
#   1. meta-train from a random rule with the notebook's defaults (Catch 5x5, 800 meta-steps),
#      then 600 more meta-steps from that rule with lifetimes (experiments/meta_lifetimes.json);
#   2. train fresh agents with the discovered rule and with the initial random rule, Catch 5x5
#      and 8x8, 3 seeds each, in the meta-training agent's setting (experiments/meta_agent_catch.json);
#   3. meta-train from Disco103 on Catch and train with the result as with Disco103 itself.
# Prints mean ± std of the final average return per rule and environment.
# Usage: experiments/meta_evidence.sh [RUNS_DIR] [STEPS]   (defaults: runs/evidence, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/evidence}
steps=${2:-1000}
disco=./build/disco
mkdir -p "$out"

[ -f "$out/meta/rule.npz" ] || $disco meta-train --out "$out/meta"
# Stage 2: the paper's lifetimes (agents reset after 100k-400k environment steps), starting
# from stage 1's rule, so that the rule learns to train agents from scratch.
[ -f "$out/meta_life/rule.npz" ] || $disco meta-train --init "$out/meta/rule.npz" \
  --config experiments/meta_lifetimes.json --meta-steps 600 --out "$out/meta_life"
[ -f "$out/meta_d103/rule.npz" ] || $disco meta-train --init disco103 --meta-steps 200 --out "$out/meta_d103"

train() {  # rule env seed name [extra args]; two at a time, one thread each
  local dir="$out/train/$4-$(echo "$2" | tr -dc 'a-z0-9')-seed$3"
  [ -f "$dir/metrics.csv" ] && return 0
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  $disco train --rule "$1" --env "$2" --seed "$3" --threads 1 --out "$dir" "${@:5}" >/dev/null &
}
for env in "catch(rows=5,columns=5)" "catch(rows=8,columns=8)"; do
  for seed in 0 1 2; do
    for rule in initial:meta/initial_rule discovered:meta/rule discovered-lifetimes:meta_life/rule; do
      train "$out/${rule#*:}.npz" "$env" $seed "${rule%%:*}" --steps "$steps" \
        --config experiments/meta_agent_catch.json
    done
  done
done
for rule in disco103 "$out/meta_d103/rule.npz"; do
  name=$([ "$rule" = disco103 ] && echo disco103 || echo disco103-metatrained)
  train "$rule" "catch(rows=8,columns=8)" 0 "$name" --steps 600
done
wait

# Final return = mean avg_return of the last 4 metrics rows of each run.
python3 - "$out/train" <<'PY'
import csv, glob, os, statistics, sys
groups = {}
for d in sorted(glob.glob(os.path.join(sys.argv[1], "*"))):
    rows = list(csv.DictReader(open(os.path.join(d, "metrics.csv"))))
    vals = [float(r["avg_return"]) for r in rows[-4:] if r["avg_return"]]
    key = os.path.basename(d).rsplit("-seed", 1)[0]
    groups.setdefault(key, []).append(sum(vals) / len(vals))
for key, v in sorted(groups.items()):
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    print(f"{key:40s} n={len(v)}  final avg_return {statistics.mean(v):+.3f} ± {sd:.3f}  {['%+.3f' % x for x in v]}")
PY
