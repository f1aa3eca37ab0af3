"""Checks `disco stats` against an independent NumPy computation of rliable's
metrics on a larger table: 3 rules x 6 tasks of different scales x 10 seeds
(one task with 7 seeds, so run counts differ between tasks).

Point estimates must agree to 1e-9. The 95% intervals come from two
independent bootstraps (disco's Rng, NumPy's PCG64) with 50,000 resamples
each, so they agree only up to Monte Carlo error: about 0.4% of the interval's
width (standard error of a 2.5th/97.5th percentile estimate); the check
allows 3%. A bootstrap that ignored the tasks (not stratified) or used
another percentile rule would miss by more on these heterogeneous tasks.

usage: stats_numpy_check.py DISCO_BINARY WORK_DIR   (exit 0: agreement)
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np

REPS = 50000


def make_table(path):
    rng = np.random.default_rng(7)
    scales = [0.1, 0.5, 1.0, 2.0, 5.0, 20.0]
    rows = []
    for r, rule in enumerate(["alpha", "beta", "gamma"]):
        for t, scale in enumerate(scales):
            seeds = 7 if t == 2 else 10
            for seed in range(seeds):
                score = scale * (0.3 * r + rng.standard_normal()) + 0.1 * t
                rows.append((rule, f"task{t}", seed, float(score)))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rule", "task", "seed", "score"])
        for row in rows:
            w.writerow([row[0], row[1], row[2], repr(row[3])])
    rules = sorted({row[0] for row in rows})
    tasks = sorted({row[1] for row in rows})
    return {rule: [np.array([row[3] for row in rows if row[0] == rule and row[1] == task])
                   for task in tasks] for rule in rules}


def trim_mean_25(x, axis):
    x = np.sort(x, axis=axis)
    n = x.shape[axis]
    k = int(0.25 * n)
    return np.take(x, range(k, n - k), axis=axis).mean(axis=axis)


def metrics(per_task):
    """The four aggregates of rliable; per_task: list of arrays (..., runs)."""
    flat = np.concatenate(per_task, axis=-1)
    task_means = np.stack([t.mean(axis=-1) for t in per_task], axis=-1)
    return {
        "iqm": trim_mean_25(flat, -1),
        "mean": task_means.mean(axis=-1),
        "median": np.median(task_means, axis=-1),
        "optimality_gap": np.maximum(1.0 - flat, 0.0).mean(axis=-1),
    }


def probability_of_improvement(x, y):
    """x, y: lists of arrays (..., runs); P(X > Y) + 0.5 P(X = Y) per task, averaged."""
    per_task = []
    for a, b in zip(x, y):
        gt = (a[..., :, None] > b[..., None, :]).mean(axis=(-2, -1))
        eq = (a[..., :, None] == b[..., None, :]).mean(axis=(-2, -1))
        per_task.append(gt + 0.5 * eq)
    return np.mean(per_task, axis=0)


def resample(rng, per_task):
    """One stratified bootstrap, REPS times at once: each task's runs drawn from its own runs."""
    return [t[rng.integers(0, len(t), size=(REPS, len(t)))] for t in per_task]


def interval(samples):
    return np.percentile(samples, [2.5, 97.5])


def main():
    disco, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    table_path = os.path.join(work, "scores.csv")
    data = make_table(table_path)
    out = subprocess.run([disco, "stats", "--scores", table_path, "--reps", str(REPS)],
                         check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    by_rule = {j["rule"]: j for j in lines if "rule" in j}
    pairs = {(j["rule_x"], j["rule_y"]): j for j in lines if "rule_x" in j}

    rng = np.random.default_rng(2021)
    failures = []

    def check_point(what, ours, theirs):
        if abs(ours - theirs) > 1e-9 * (1 + abs(theirs)):
            failures.append(f"{what}: disco {ours!r}, numpy {theirs!r}")

    def check_interval(what, low, high, theirs):
        width = max(theirs[1] - theirs[0], 1e-12)
        for name, ours, ref in (("low", low, theirs[0]), ("high", high, theirs[1])):
            if abs(ours - ref) > 0.03 * width + 1e-12:
                failures.append(f"{what} {name}: disco {ours!r}, numpy {ref!r} (width {width:.4g})")

    if sorted(by_rule) != sorted(data):
        failures.append(f"rules: disco {sorted(by_rule)}, table {sorted(data)}")
    for rule, per_task in data.items():
        point = metrics(per_task)
        boot = metrics(resample(rng, per_task))
        for name in ("iqm", "mean", "median", "optimality_gap"):
            j = by_rule[rule]
            check_point(f"{rule} {name}", j[name], float(point[name]))
            check_interval(f"{rule} {name}", j[name + "_ci_low"], j[name + "_ci_high"],
                           interval(boot[name]))
    for (x, y), j in pairs.items():
        p = probability_of_improvement(data[x], data[y])
        check_point(f"P({x} > {y})", j["probability_of_improvement"], float(p))
        boot = probability_of_improvement(resample(rng, data[x]), resample(rng, data[y]))
        check_interval(f"P({x} > {y})", j["probability_of_improvement_ci_low"],
                       j["probability_of_improvement_ci_high"], interval(boot))
    if len(pairs) != 6:
        failures.append(f"expected 6 ordered pairs, disco printed {len(pairs)}")
    for f in failures:
        print(f)
    print(f"{len(by_rule)} rules, {len(pairs)} pairs compared; {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
