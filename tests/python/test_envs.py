# disco.make / disco.envs: batched environments seen from Python.
import gc

import numpy as np
import pytest
import torch

import disco
from pycatch import PyCatch


def test_envs_lists_every_family_with_parameters_and_spec():
    entries = {e["name"]: e for e in disco.envs()}
    for name in ("catch", "minatar_breakout", "deep_sea", "sokoban"):
        assert name in entries
    catch = entries["catch"]
    assert [p["name"] for p in catch["params"]] == ["rows", "columns"]
    assert catch["spec"]["observation_shape"] == (10, 5)
    assert catch["spec"]["num_actions"] == 3


def test_step_writes_into_the_same_buffers_and_auto_resets():
    env = disco.make("minatar_breakout(sticky_action_prob=0)", batch=64, seed=0)
    obs = env.reset()
    assert obs.shape == (64, 10, 10, 4) and obs.dtype == torch.float32
    first_ptr = obs.data_ptr()
    ended = 0
    for _ in range(200):
        obs, rewards, terminals, truncations = env.step(torch.randint(0, env.num_actions, (64,)))
        assert obs.data_ptr() == first_ptr  # no new buffer per step
        assert rewards.shape == (64,) and terminals.dtype == torch.bool
        ended += int(terminals.sum())
        returns = env.finished_returns()
        assert torch.isnan(returns[~terminals]).all()
        assert not torch.isnan(returns[terminals]).any()
    assert ended > 0  # random play loses the ball within 200 steps


def test_same_seed_same_episodes_other_seed_other_episodes():
    def play(seed):
        env = disco.make("catch(rows=8,columns=8)", batch=4, seed=seed)
        frames = [env.reset().clone()]
        for t in range(30):
            frames.append(env.step([t % 3] * 4)[0].clone())
        return torch.stack(frames)

    assert torch.equal(play(3), play(3))
    assert not torch.equal(play(3), play(4))


def test_actions_as_list_array_or_tensor_are_the_same():
    outs = []
    for actions in ([0, 1, 2], np.array([0, 1, 2]), torch.tensor([0, 1, 2], dtype=torch.int32)):
        env = disco.make("catch", batch=3, seed=1)
        env.reset()
        outs.append(env.step(actions)[0].clone())
    assert torch.equal(outs[0], outs[1]) and torch.equal(outs[0], outs[2])


def test_bad_input_raises_one_line_errors():
    with pytest.raises(ValueError, match="unknown environment 'catchh'"):
        disco.make("catchh", batch=2)
    with pytest.raises(ValueError, match="unknown parameter|did not use|not used|unused"):
        disco.make("catch(rowz=3)", batch=2)
    env = disco.make("catch", batch=2)
    env.reset()
    with pytest.raises(ValueError, match="got 3 actions for a batch of 2"):
        env.step([0, 1, 1])
    with pytest.raises(ValueError, match=r"outside \[0, 3\)"):
        env.step([0, 7])
    with pytest.raises(ValueError, match="batch must be positive"):
        disco.make("catch", batch=0)


def test_returned_tensors_outlive_the_environment():
    env = disco.make("catch", batch=2, seed=0)
    obs = env.reset()
    expected = obs.clone()
    del env
    gc.collect()
    assert torch.equal(obs, expected)


def test_a_python_class_is_batched_like_a_builtin():
    env = disco.make(PyCatch, batch=4, seed=0)
    assert env.spec["name"] == "python_PyCatch"
    obs = env.reset()
    assert obs.shape == (4, 5, 5)
    assert torch.all(obs.sum(dim=(1, 2)) == 2)  # ball and paddle
    total = torch.zeros(4)
    for _ in range(4):  # rows - 1 steps end every episode
        obs, rewards, terminals, _ = env.step([1, 1, 1, 1])
        total += rewards
    assert terminals.all() and torch.all(total.abs() == 1)
    names = [e["name"] for e in disco.envs()]
    assert "python_PyCatch" in names
    state = env.save_state()  # pickled Python environments checkpoint too
    after = env.step([0, 0, 0, 0])[0].clone()
    env.restore_state(state)
    assert torch.equal(env.step([0, 0, 0, 0])[0], after)


def test_python_environment_errors_name_the_environment():
    class Broken(PyCatch):
        def step(self, action):
            return np.zeros(3), 0.0, False, False, {}

    env = disco.make(Broken, batch=1)
    env.reset()
    with pytest.raises(ValueError, match="python_Broken.step\\(\\) returned an observation of 3 values, expected 25"):
        env.step([0])

    class Raises(PyCatch):
        def step(self, action):
            raise KeyError("from the environment")

    env = disco.make(Raises, batch=1)
    env.reset()
    with pytest.raises(KeyError, match="from the environment"):
        env.step([0])
