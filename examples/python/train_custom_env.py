"""Train Disco103 on an environment written in Python.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_custom_env.py [--steps 600]

The environment is stepped in Python (any class with Gymnasium's reset/step
API and a discrete action space); the agent and the rule run in C++.
"""
import argparse

import numpy as np

import disco


class Space:
    def __init__(self, shape=None, n=None):
        self.shape, self.n = shape, n


class Corridor:
    """Walk right along a corridor of 8 cells to a reward of +1; the
    observation is the agent's cell, one-hot. At most 20 steps per episode."""

    length = 8

    def __init__(self):
        self.observation_space = Space(shape=(self.length,))
        self.action_space = Space(n=2)  # 0 left, 1 right
        self.position = 0

    def _obs(self):
        obs = np.zeros(self.length, dtype=np.float32)
        obs[self.position] = 1.0
        return obs

    def reset(self, seed=None):
        self.position = 0
        return self._obs(), {}

    def step(self, action):
        self.position = min(max(self.position + (1 if action == 1 else -1), 0), self.length - 1)
        done = self.position == self.length - 1
        return self._obs(), float(done), done, False, {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    def on_log(row):
        print(f"step {int(row['learner_step']):5d}  avg return {row['avg_return']:.3f}", flush=True)

    run = disco.train(rule="disco103", env=Corridor, batch=2, steps=args.steps, seed=0,
                      out=args.out, max_episode_steps=20,
                      settings={"log_every": max(1, args.steps // 10)}, on_log=on_log)
    print(f"run folder: {run['out']}")


if __name__ == "__main__":
    main()
