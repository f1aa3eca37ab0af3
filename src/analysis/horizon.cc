#include "analysis/horizon.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>
#include <stdexcept>

#include "core/stop_gradient.h"

namespace disco {
namespace {

const char* const kTargets[] = {"pi", "y", "z"};

// inputs with its agent outputs replaced by fresh leaves that require grad.
UpdateRuleInputs with_leaves(const UpdateRuleInputs& in, std::vector<std::string>& heads,
                             std::vector<torch::Tensor>& leaves) {
  UpdateRuleInputs out = in;
  heads.clear();
  leaves.clear();
  for (auto& [head, x] : out.agent_out) {
    x = x.detach().clone().requires_grad_(true);
    heads.push_back(head);
    leaves.push_back(x);
  }
  return out;
}

// The rule's outputs as functions of fresh leaves for every agent output,
// with the stop-gradients off (total derivatives).
struct DifferentiableCall {
  std::vector<std::string> heads;
  std::vector<torch::Tensor> leaves;
  MetaOuts meta_out;
};

DifferentiableCall differentiable_call(const DiscoRule& rule, const ParamMap& meta_params,
                                       const MetaState& meta_state, const UpdateRuleInputs& inputs,
                                       const AgentOuts& target_out) {
  torch::AutoGradMode grad_on(true);
  const StopGradientsOff total_derivative;
  DifferentiableCall c;
  const UpdateRuleInputs in = with_leaves(inputs, c.heads, c.leaves);
  c.meta_out = rule.unroll_with_target_out(meta_params, meta_state, in, target_out).first;
  return c;
}

}  // namespace

AgentOuts projected_target_gradient(const DiscoRule& rule, const ParamMap& meta_params,
                                    const MetaState& meta_state, const UpdateRuleInputs& inputs,
                                    const AgentOuts& target_out, const std::string& target,
                                    int64_t t, int64_t b, const torch::Tensor& v) {
  const auto [heads, leaves, meta_out] = differentiable_call(rule, meta_params, meta_state, inputs, target_out);
  const auto& x = meta_out.at(target);
  const auto s = (x.select(0, t).select(0, b) * v).sum();
  const auto grads = torch::autograd::grad({s}, leaves, {}, false, false, /*allow_unused=*/true);
  AgentOuts out;
  for (size_t i = 0; i < heads.size(); ++i) {
    out[heads[i]] = grads[i].defined() ? grads[i] : torch::zeros_like(leaves[i]);
  }
  return out;
}

Horizon bootstrap_horizon(const DiscoRule& rule, const ParamMap& meta_params, const MetaState& meta_state,
                          const UpdateRuleInputs& inputs, const AgentOuts& target_out,
                          const HorizonSettings& settings) {
  if (settings.projections < 1) throw std::invalid_argument("horizon: projections must be >= 1");
  const auto [heads, leaves, meta_out] = differentiable_call(rule, meta_params, meta_state, inputs, target_out);
  const int64_t t_count = inputs.rewards.size(0), b_count = inputs.rewards.size(1);
  Horizon h;
  for (int64_t k = -(t_count - 1); k <= t_count; ++k) h.ks.push_back(k);
  const int64_t k_count = static_cast<int64_t>(h.ks.size());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(settings.seed);

  for (const char* target : kTargets) {
    const auto& x = meta_out.at(target);  // [T, B, ...]
    // sq[t, b, j]: estimated ||∂X̂_{t,b}/∂p_{j,b}||²_F for every prediction step j.
    auto sq = torch::zeros({t_count, b_count, t_count + 1}, torch::kFloat64);
    for (int64_t t = 0; t < t_count; ++t) {
      for (int64_t b = 0; b < b_count; ++b) {
        for (int r = 0; r < settings.projections; ++r) {
          const auto v = at::normal(0.0, 1.0, x.select(0, t).select(0, b).sizes(), gen).to(x.scalar_type());
          const auto s = (x.select(0, t).select(0, b) * v).sum();
          const auto grads = torch::autograd::grad({s}, leaves, {}, /*retain_graph=*/true, false,
                                                   /*allow_unused=*/true);
          auto per_step = torch::zeros({t_count + 1}, torch::kFloat64);
          for (const auto& g : grads) {
            if (!g.defined()) continue;
            per_step += g.select(1, b).detach().to(torch::kFloat64).pow(2).reshape({t_count + 1, -1}).sum(1);
          }
          sq[t][b] += per_step / settings.projections;
        }
      }
    }
    // Per trajectory and offset: mean over the t with t + k in [0, T].
    auto per_traj = torch::full({b_count, k_count}, std::numeric_limits<double>::quiet_NaN(), torch::kFloat64);
    const auto norms = sq.sqrt();
    for (int64_t ki = 0; ki < k_count; ++ki) {
      const int64_t k = h.ks[ki];
      std::vector<torch::Tensor> rows;
      for (int64_t t = 0; t < t_count; ++t) {
        if (t + k < 0 || t + k > t_count) continue;
        rows.push_back(norms.select(0, t).select(1, t + k));  // [B]
      }
      if (!rows.empty()) per_traj.select(1, ki).copy_(torch::stack(rows).mean(0));
    }
    h.per_trajectory[target] = per_traj;
    h.mean[target] = per_traj.mean(0);
  }
  return h;
}

}  // namespace disco
