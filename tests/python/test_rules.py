# disco.Rule: loading rules, their weights, and their targets.
import os

import numpy as np
import pytest
import torch

import disco
from conftest import SHARED, WEIGHTS

# ../shared/golden/README.md: |x - golden| <= atol + rtol |golden|.
TOLERANCES = [("value_outs/rho", 1e-5, 1e-4), ("value_outs/normalized_", 2e-4, 1e-4),
              ("value_outs/", 1e-2, 1e-4), ("meta_out/", 1e-3, 1e-3), ("intermediates/", 1e-3, 1e-3),
              ("state_out/meta_rnn/", 1e-4, 1e-3), ("state_out/", 1e-4, 2e-4), ("loss/", 2e-4, 2e-4),
              ("grad/agent_out/", 2e-5, 1e-3), ("meta_grad", 1e-5, 1e-3)]
OUTPUTS = ("value_outs/", "meta_out/", "intermediates/", "state_out/", "loss/", "grad/agent_out/")


def tolerance(key):
    rest = key.split("/", 1)[1] if key.startswith("call") else key
    for prefix, atol, rtol in TOLERANCES:
        if rest.startswith(prefix):
            return atol, rtol
    raise KeyError(key)


def test_disco103_weights_are_the_files_under_the_reference_names(need_weights):
    rule = disco.Rule.load("disco103")
    assert rule.kind == "disco"
    params = rule.meta_params
    with np.load(need_weights) as f:
        assert sorted(params) == sorted(f.keys())
        for name in f.keys():
            assert torch.equal(params[name], torch.from_numpy(np.array(f[name])).float()), name


def test_disco103_targets_match_the_golden_file(need_weights):
    golden_path = os.path.join(SHARED, "golden", "disco103_public.npz")
    with np.load(golden_path) as f:
        golden = {k: torch.from_numpy(np.array(f[k])) for k in f.keys()}
    def is_output(key):
        return key.startswith("meta_grad") or (
            key.startswith("call") and any(key.split("/", 1)[1].startswith(p) for p in OUTPUTS))

    inputs = {k: v for k, v in golden.items() if not is_output(k)}
    out = disco.Rule.load("disco103").targets(inputs)
    expected = [k for k in golden if is_output(k)]
    assert len(expected) > 100
    for key in expected:
        assert key in out, f"missing output {key}"
        atol, rtol = tolerance(key)
        diff = (out[key].double() - golden[key].double()).abs()
        bound = atol + rtol * golden[key].double().abs()
        assert bool((diff <= bound).all()), f"{key}: max excess {(diff - bound).max().item():.3g}"


def test_targets_without_call_prefix_is_one_call(need_weights):
    golden_path = os.path.join(SHARED, "golden", "disco103_public.npz")
    with np.load(golden_path) as f:
        call1 = {k[len("call1/"):]: torch.from_numpy(np.array(f[k])) for k in f.keys()
                 if k.startswith("call1/")}
    out = disco.Rule.load("disco103").targets(call1)
    assert torch.allclose(out["meta_out/pi"], call1["meta_out/pi"], atol=1e-3, rtol=1e-3)
    assert not any(k.startswith("call") for k in out)


def test_actor_critic_targets_and_gradients():
    t, b, a = 5, 3, 4
    g = torch.Generator().manual_seed(0)
    discounts = torch.ones(t + 1, b)
    discounts[3, 1] = 0.0
    rollout = {"actions": torch.randint(0, a, (t + 1, b), generator=g),
               "rewards": torch.randn(t, b, generator=g), "discounts": discounts,
               "agent_out/logits": torch.randn(t + 1, b, a, generator=g)}
    rule = disco.Rule.load("actor_critic")
    heads = rule.heads(a)["flat"]
    assert set(heads) == {"logits", "v"}
    rollout["agent_out/v"] = torch.randn(t + 1, b, *heads["v"], generator=g)
    out = rule.targets(rollout)
    assert out["loss/total"].dim() == 0 and torch.isfinite(out["loss/total"])
    grad = out["grad/agent_out/logits"]
    # Softmax logits are shift-invariant: each step's gradient sums to zero.
    assert grad[:t].abs().sum() > 0
    assert torch.allclose(grad.sum(-1), torch.zeros(t + 1, b), atol=1e-5)
    # The value is only trained where the loss mask is on.
    assert out["grad/agent_out/v"][t].abs().sum() == 0


def test_unknown_rules_and_bad_files_raise():
    with pytest.raises(ValueError, match="unknown rule 'disco104'"):
        disco.Rule.load("disco104")
    with pytest.raises(ValueError, match="nothing.npz"):
        disco.Rule.load("/nonexistent/nothing.npz")
    with pytest.raises(ValueError, match="rollout has no 'rewards'"):
        disco.Rule.load("policy_gradient").targets({"actions": torch.zeros(3, 2, dtype=torch.long),
                                                    "discounts": torch.ones(3, 2)})
