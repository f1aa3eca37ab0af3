#include "core/types.h"

#include <torch/torch.h>

namespace disco {

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
  return in;
}

}  // namespace disco
