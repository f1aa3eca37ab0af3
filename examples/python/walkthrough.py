# %% [markdown]
# # disco from Python: a walkthrough
# Run it whole (`PYTHONPATH=build/python /usr/bin/python3 examples/python/walkthrough.py`)
# or cell by cell in an editor that knows `# %%` cells. DISCO_EXAMPLE_QUICK=1 shrinks
# every run (the tests use it).
import os
import tempfile

import numpy as np
import torch

import disco

QUICK = os.environ.get("DISCO_EXAMPLE_QUICK") == "1"
work = os.environ.get("DISCO_EXAMPLE_DIR") or tempfile.mkdtemp(prefix="disco-walkthrough-")

# %% [markdown]
# ## 1. Environments
# Every environment is a name with parameters; `make` returns B of them stepped together.
for entry in disco.envs():
    print(f"{entry['name']:24s} {entry['spec']['observation_shape']} {entry['spec']['num_actions']} actions")
env = disco.make("minatar_breakout(sticky_action_prob=0)", batch=8, seed=0)
obs = env.reset()
obs, rewards, terminals, truncations = env.step(torch.randint(0, env.num_actions, (8,)))
print("observations", tuple(obs.shape), "rewards", rewards.tolist())

# %% [markdown]
# ## 2. A rule and its targets
# Disco103's meta-network, under the reference's parameter names.
rule = disco.Rule.load("disco103")
print(rule, len(rule.meta_params), "tensors;", "heads:", rule.heads(3)["flat"])

# %% [markdown]
# ## 3. Train Disco103 on an environment written in Python
class Space:
    def __init__(self, shape=None, n=None):
        self.shape, self.n = shape, n


class Catch:
    """Catch 5x5: a ball falls from a random column; move the paddle under it."""
    rows = columns = 5

    def __init__(self):
        self.observation_space, self.action_space = Space(shape=(5, 5)), Space(n=3)
        self.rng = np.random.default_rng(0)

    def _obs(self):
        o = np.zeros((5, 5), np.float32)
        o[self.ball_row, self.ball_column] = 1
        o[4, self.paddle] = 1
        return o

    def reset(self, seed=None):
        self.rng = np.random.default_rng(seed)
        self.ball_row, self.ball_column, self.paddle = 0, int(self.rng.integers(5)), 2
        return self._obs(), {}

    def step(self, action):
        self.paddle = min(max(self.paddle + int(action) - 1, 0), 4)
        self.ball_row += 1
        done = self.ball_row == 4
        return self._obs(), (1.0 if self.paddle == self.ball_column else -1.0) if done else 0.0, done, False, {}


curve = []  # a notebook would redraw a plot here
run = disco.train(rule=rule, env=Catch, batch=2, steps=20 if QUICK else 300, seed=0,
                  out=os.path.join(work, "python_catch"), settings={"log_every": 10},
                  on_log=lambda row: curve.append((row["learner_step"], row["avg_return"])))
print("learning curve:", [(int(s), round(r, 2)) for s, r in curve])

# %% [markdown]
# ## 4. Compare two rules with honest statistics
# `disco.eval` runs each (rule, environment, seed) as its own training run and reports
# interquartile means with bootstrap confidence intervals.
report = disco.eval(["disco103", "actor_critic"], "catch(rows=5,columns=5)", seeds=2,
                    frames=600 if QUICK else 20000, out=os.path.join(work, "eval"), jobs=2,
                    extra_args=["--reps", "200" if QUICK else "5000"])
for row in report["stats"]:
    print({k: row[k] for k in row if k in ("rule", "task", "iqm", "iqm_low", "iqm_high")})
print("report:", report["report"])
