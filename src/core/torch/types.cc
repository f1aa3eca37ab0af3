#include "core/types.h"

#include <torch/torch.h>

#include <stdexcept>

// The LibTorch-dependent parts of core/types.h (src/core/torch/ holds the
// core sources that the torch-free environment library does not build).
namespace disco {

Rollout rollout_from_fields(const std::map<std::string, torch::Tensor>& fields) {
  const auto required = [&](const char* name) {
    auto it = fields.find(name);
    if (it == fields.end() || !it->second.defined()) {
      throw std::invalid_argument(std::string("rollout: no '") + name + "' field");
    }
    return it->second;
  };
  Rollout r;
  r.observations = required("observations");
  r.actions = required("actions");
  r.rewards = required("rewards");
  r.discounts = required("discounts");
  if (fields.count("truncated")) r.truncated = fields.at("truncated");
  if (fields.count("truncated_observations")) {
    r.truncated_observations = fields.at("truncated_observations");
  }
  const std::string outs = "agent_outs/";
  for (const auto& [name, t] : fields) {
    if (name.rfind(outs, 0) == 0) r.agent_outs[name.substr(outs.size())] = t;
  }
  if (r.truncated.defined() != r.truncated_observations.defined()) {
    throw std::invalid_argument("rollout: 'truncated' and 'truncated_observations' come together");
  }
  return r;
}

Rollout map_rollout(const Rollout& r,
                    const std::function<torch::Tensor(const torch::Tensor&)>& fn) {
  std::map<std::string, torch::Tensor> f = rollout_fields(r);
  for (auto& [name, t] : f) t = fn(t);
  return rollout_from_fields(f);
}

torch::Tensor UpdateRuleInputs::truncation_values(const torch::Tensor& per_cut) const {
  auto out = torch::zeros_like(rewards);
  if (!truncated.defined() || per_cut.numel() == 0) return out;
  return out.masked_scatter(truncated > 0, per_cut.to(out.scalar_type()));
}

torch::Tensor UpdateRuleInputs::should_reset_mask_fwd() const {
  return torch::cat({torch::zeros_like(is_terminal.slice(0, 0, 1)), is_terminal}, 0);
}

torch::Tensor UpdateRuleInputs::should_reset_mask_bwd() const {
  return torch::cat({is_terminal, torch::zeros_like(is_terminal.slice(0, 0, 1))}, 0);
}

UpdateRuleInputs UpdateRuleInputs::from_rollout(const Rollout& rollout, AgentOuts agent_out) {
  UpdateRuleInputs in;
  in.observations = rollout.observations;
  in.actions = rollout.actions;
  in.rewards = rollout.rewards.slice(0, 1);
  in.is_terminal = (rollout.discounts.slice(0, 1) == 0).to(rollout.rewards.scalar_type());
  in.agent_out = std::move(agent_out);
  in.behaviour_agent_out = rollout.agent_outs;
  if (rollout.truncated.defined()) in.truncated = rollout.truncated.slice(0, 1);
  return in;
}

}  // namespace disco
