# disco.meta_train: discovering a rule from Python, and using it.
import json
import os

import pytest
import torch

import disco

SMALL = {"net": {"dense": [16], "lstm_size": 8, "model_head_hiddens": [8]}, "value": {"dense": [16]},
         "checkpoint_every": 1}


def rows_of(out):
    with open(os.path.join(out, "meta_metrics.jsonl")) as f:
        return [json.loads(line) for line in f]


def test_meta_train_writes_a_rule_that_train_loads(tmp_path):
    seen = []
    run = disco.meta_train(envs="catch(rows=5,columns=5)", rollout=4, batch=4, meta_steps=3, seed=0,
                           settings=SMALL, out=tmp_path / "meta", on_log=seen.append, threads=1)
    assert run["meta_step"] == 3 and [r["meta_step"] for r in seen] == [1, 2, 3]
    assert all("meta_loss" in r for r in seen)
    rule = disco.Rule.load(run["rule"])
    initial = disco.Rule.load(os.path.join(run["out"], "initial_rule.npz"))
    assert rule.kind == "disco" and sorted(rule.meta_params) == sorted(initial.meta_params)
    assert any(not torch.equal(rule.meta_params[k], initial.meta_params[k]) for k in rule.meta_params)
    trained = disco.train(rule=rule, env="catch(rows=5,columns=5)", steps=3, out=tmp_path / "agent",
                          settings={"log_every": 1, "batch_size": 4, "min_replay": 4,
                                    "net": {"dense": [16], "lstm_size": 8, "model_head_hiddens": [8]}},
                          threads=1)
    assert trained["learner_step"] == 3


def test_meta_train_resumes_to_the_same_rule(tmp_path):
    args = dict(envs=["catch(rows=5,columns=5)"], rollout=4, batch=4, seed=1, settings=SMALL, threads=1)
    whole = disco.meta_train(meta_steps=4, out=tmp_path / "whole", **args)

    def stop_at_2(row):
        if row["meta_step"] == 2:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        disco.meta_train(meta_steps=4, out=tmp_path / "parts", on_log=stop_at_2, **args)
    parts = disco.meta_train(resume=tmp_path / "parts", threads=1)
    assert parts["meta_step"] == 4
    a, b = disco.Rule.load(whole["rule"]).meta_params, disco.Rule.load(parts["rule"]).meta_params
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [r["meta_loss"] for r in rows_of(whole["out"])] == [r["meta_loss"] for r in rows_of(parts["out"])]


def test_meta_train_bad_settings_raise(tmp_path):
    with pytest.raises(ValueError, match="unknown environment 'catc'"):
        disco.meta_train(envs="catc", meta_steps=1, out=tmp_path / "a")
    with pytest.raises(ValueError, match="unknown key 'populaton'"):
        disco.meta_train(settings={"populaton": 3}, meta_steps=1, out=tmp_path / "b")
    with pytest.raises(ValueError, match="meta_steps must be positive"):
        disco.meta_train(meta_steps=0, out=tmp_path / "c")
