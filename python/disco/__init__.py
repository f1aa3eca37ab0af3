"""disco from Python: environments, update rules, training, meta-training and
evaluation of the C++ core (DiscoRL, Oh et al., Nature 2025).

    import disco
    env = disco.make("minatar_breakout(sticky_action_prob=0)", batch=64, seed=0)
    obs = env.reset()
    obs, rewards, terminals, truncations = env.step(actions)

    rule = disco.Rule.load("disco103")
    run = disco.train(rule=rule, env="catch(rows=8,columns=8)", steps=1000, seed=0,
                      out="runs/catch", on_log=print)

Tensors cross as torch.Tensor without copies. Errors from C++ arrive as
ValueError (bad input) or RuntimeError with the command line's one-line
messages. Long C++ work runs with the GIL released; Ctrl-C stops a run
cleanly after the step in progress, with a checkpoint, then raises
KeyboardInterrupt (continue with resume=DIR).
"""

import os
import subprocess
import time

import torch  # loads LibTorch's Python bindings before the extension needs them

from . import _disco
from ._disco import BatchedEnv

__all__ = ["make", "envs", "Rule", "train", "meta_train", "eval", "BatchedEnv", "BINARY"]

# The `disco` command built beside this package (disco.eval runs it).
try:
    from ._paths import BINARY as _BUILT_BINARY
except ImportError:  # an installed package without the build tree
    _BUILT_BINARY = "disco"
BINARY = os.environ.get("DISCO_BINARY") or _BUILT_BINARY


def _env_name(env, max_episode_steps=0):
    """A registered environment's name for a string, a class or a factory."""
    if isinstance(env, str):
        if max_episode_steps:
            raise ValueError("max_episode_steps is for Python environments; built-in ones have "
                             "their own limits as parameters")
        return env
    if callable(env):
        return _disco.register_python_env(env, "", int(max_episode_steps or 0))
    raise ValueError(f"env must be a name such as 'catch(rows=8,columns=8)' or a Python "
                     f"environment class, got {type(env).__name__}")


def make(env, batch=1, seed=0, max_episode_steps=0):
    """A batch of `batch` environments: a name with parameters
    ("catch(rows=8,columns=8)") or a Python class with Gymnasium's API."""
    return BatchedEnv(_env_name(env, max_episode_steps), int(batch), int(seed))


def envs():
    """Every environment (built-in, then registered Python ones) with its
    parameters and the spec of its default instance."""
    return _disco.env_entries()


class Rule:
    """An update rule: "disco103", a Disco rule's .npz (e.g. a meta-training
    run's rule.npz), "actor_critic", "policy_gradient" or "ppo"."""

    def __init__(self, core):
        self._core = core

    @staticmethod
    def load(name_or_path, settings=None, weights=None):
        return Rule(_disco.Rule(str(name_or_path), settings, weights or ""))

    source = property(lambda self: self._core.source, doc="the name or path it was loaded from")
    kind = property(lambda self: self._core.kind)
    name = property(lambda self: self._core.name)
    meta_params = property(lambda self: self._core.meta_params)

    def heads(self, num_actions):
        return self._core.heads(num_actions)

    def targets(self, rollout):
        """Targets, losses and loss gradients for a recorded rollout; see
        `disco targets` and shared/golden/README.md for the layout."""
        return self._core.targets(dict(rollout))

    def save(self, path):
        self._core.save(str(path))

    def __repr__(self):
        return f"disco.Rule({self.source!r}, kind={self.kind!r})"


def _rule_source(rule):
    return rule.source if isinstance(rule, Rule) else str(rule)


def _default_out(prefix, seed):
    return os.path.join("runs", f"{prefix}-seed{seed}-{time.strftime('%Y%m%d-%H%M%S')}")


def train(rule="disco103", env="catch(rows=8,columns=8)", steps=None, seed=0, out=None,
          batch=None, settings=None, preset=None, lr=None, on_log=None, resume=None,
          weights=None, threads=0, max_episode_steps=0):
    """Trains an agent, as `disco train` does; returns {"out", "learner_step", "settings"}.

    rule: a name, a path or a Rule. env: a name with parameters or a Python
    environment class (Gymnasium's reset/step API, discrete actions) that the
    binding instantiates `batch` times. steps: learner steps. batch: the
    number of environments the actor steps (the learner's batch is
    settings["batch_size"]). settings: keys as a run's settings.json.
    on_log(row): called with each metrics row (a dict). resume: a run folder
    to continue (steps may raise its total); a Python environment must be
    passed again as env. threads: as `disco train --threads` (0: one learner
    block per core).
    """
    overrides = dict(settings or {})
    env_name = _env_name(env, max_episode_steps)
    if resume is not None:
        return _disco.train("", None, "", "", str(resume), steps, weights or "", on_log, threads)
    overrides["env"] = env_name
    overrides["seed"] = int(seed)
    if batch is not None:
        overrides["num_envs"] = int(batch)
    if lr is not None:
        overrides.setdefault("optimizer", {})["learning_rate"] = float(lr)
    source = _rule_source(rule)
    if out is None:
        out = _default_out(os.path.splitext(os.path.basename(source))[0], seed)
    return _disco.train(source, overrides, preset or "", str(out), "", steps, weights or "",
                        on_log, threads)


def meta_train(envs=None, population=None, inner_steps=None, rollout=None, batch=None,
               meta_steps=None, init=None, seed=0, settings=None, out=None, on_log=None,
               resume=None, weights=None, threads=0):
    """Discovers a rule, as `disco meta-train` does (single process); returns
    {"out", "meta_step", "rule"} where rule is the path of rule.npz. threads:
    as `disco meta-train --threads` (0: one per core; agents side by side, and
    the rule is the same for any count)."""
    if resume is not None:
        return _disco.meta_train(None, "", str(resume), meta_steps, weights or "", on_log, threads)
    overrides = dict(settings or {})
    if envs is not None:
        overrides["envs"] = [_env_name(e) for e in ([envs] if isinstance(envs, str) else envs)]
    for key, value in (("population", population), ("inner_steps", inner_steps),
                       ("rollout", rollout), ("batch", batch), ("init", init)):
        if value is not None:
            overrides[key] = value
    overrides["seed"] = int(seed)
    if out is None:
        out = _default_out("meta", seed)
    return _disco.meta_train(overrides, str(out), "", meta_steps, weights or "", on_log, threads)


def eval(rules, envs, seeds, frames, out, jobs=1, threads=None, preset=None, config=None,
         grid=None, extra_args=()):
    """Compares rules on built-in environments with `disco eval` (each run a
    `disco train` process; finished runs are kept, stopped ones resumed).
    Returns {"out", "scores": rows of scores.csv, "stats": rows of
    stats.jsonl, "report": path of report.md}. Raises RuntimeError with the
    command's error line if it fails."""
    import csv
    import json

    rules = rules if isinstance(rules, str) else ",".join(_rule_source(r) for r in rules)
    envs = envs if isinstance(envs, str) else ";".join(envs)
    args = [BINARY, "eval", "--rules", rules, "--envs", envs, "--seeds", str(int(seeds)),
            "--frames", str(int(frames)), "--out", str(out), "--jobs", str(int(jobs))]
    for flag, value in (("--threads", threads), ("--preset", preset), ("--config", config),
                        ("--grid", grid)):
        if value is not None:
            args += [flag, str(value)]
    args += [str(a) for a in extra_args]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [l for l in done.stderr.strip().splitlines() if l.strip()]
        raise RuntimeError(lines[-1] if lines else f"disco eval failed (exit {done.returncode})")
    with open(os.path.join(str(out), "scores.csv")) as f:
        scores = list(csv.DictReader(f))
    with open(os.path.join(str(out), "stats.jsonl")) as f:
        stats = [json.loads(line) for line in f if line.strip()]
    return {"out": str(out), "scores": scores, "stats": stats,
            "report": os.path.join(str(out), "report.md")}
