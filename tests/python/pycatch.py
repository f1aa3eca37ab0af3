# Catch in pure Python with Gymnasium's API (no gymnasium needed): the same
# dynamics as the C++ catch (src/envs/catch/catch.h), its own randomness.
import numpy as np


class Box:
    def __init__(self, shape):
        self.shape = shape


class Discrete:
    def __init__(self, n):
        self.n = n


class PyCatch:
    rows, columns = 5, 5

    def __init__(self):
        self.observation_space = Box((self.rows, self.columns))
        self.action_space = Discrete(3)
        self.rng = np.random.default_rng(0)

    def _obs(self):
        obs = np.zeros((self.rows, self.columns), dtype=np.float32)
        obs[self.ball_row, self.ball_column] = 1.0
        obs[self.rows - 1, self.paddle] = 1.0
        return obs

    def reset(self, seed=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.ball_row = 0
        self.ball_column = int(self.rng.integers(self.columns))
        self.paddle = self.columns // 2
        return self._obs(), {}

    def step(self, action):
        self.paddle = min(max(self.paddle + int(action) - 1, 0), self.columns - 1)
        self.ball_row += 1
        done = self.ball_row == self.rows - 1
        reward = (1.0 if self.paddle == self.ball_column else -1.0) if done else 0.0
        return self._obs(), reward, done, False, {}
