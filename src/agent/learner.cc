#include "agent/learner.h"

#include <torch/torch.h>

#include <vector>

namespace disco {
namespace {

template <typename Map>
Map detached(const Map& m) {
  Map out;
  for (const auto& [name, t] : m) out[name] = t.detach();
  return out;
}

}  // namespace

Learner::Learner(const AgentNet& net, const UpdateRule& rule, const ParamMap& meta_params,
                 InnerAdamSettings optimizer)
    : net_(net), rule_(rule), meta_params_(meta_params), optimizer_(optimizer) {}

LearnerState Learner::init(uint64_t seed, torch::Device device) const {
  LearnerState s;
  for (auto& [name, t] : net_.init(seed)) s.params[name] = t.to(device);
  s.opt = optimizer_.init(s.params);
  s.meta_state = detached(rule_.init_meta_state(s.params));
  return s;
}

std::map<std::string, torch::Tensor> Learner::step(LearnerState& state, const Rollout& batch) const {
  ParamMap params;
  std::vector<torch::Tensor> leaves;
  for (const auto& [name, t] : state.params) {
    params[name] = t.detach().requires_grad_(true);
    leaves.push_back(params[name]);
  }
  const auto agent_out = net_.unroll(params, batch.observations);
  const auto inputs = UpdateRuleInputs::from_rollout(batch, agent_out);

  // The rule's targets: computed without a graph to the agent, constants
  // for its loss (not meta-training).
  auto rule_inputs = inputs;
  rule_inputs.agent_out = detached(agent_out);
  MetaOuts meta_outs;
  {
    torch::NoGradGuard no_grad;
    auto [outs, next_meta_state] = rule_.unroll_meta_net(meta_params_, state.params,
                                                         state.meta_state, rule_inputs,
                                                         net_.unroll_fn());
    meta_outs = detached(outs);
    state.meta_state = detached(next_meta_state);
  }
  const auto loss = rule_.agent_loss(inputs, meta_outs, /*backprop=*/false);
  const auto no_meta = rule_.agent_loss_no_meta(inputs, meta_outs);
  auto per_step = loss.per_step;
  if (no_meta.per_step.defined()) per_step = per_step + no_meta.per_step;
  const auto total = masked_total_loss(per_step, loss_mask_from_discounts(batch.discounts));
  const auto grads = torch::autograd::grad({total}, leaves);

  ParamMap grad_map;
  size_t i = 0;
  for (const auto& [name, t] : state.params) grad_map[name] = grads[i++];
  {
    torch::NoGradGuard no_grad;
    state.params = optimizer_.step(state.params, grad_map, state.opt);
  }
  std::map<std::string, torch::Tensor> log;
  for (const auto& [k, v] : no_meta.log) log[k] = v.detach();
  for (const auto& [k, v] : loss.log) log[k] = v.detach();
  log["total_loss"] = total.detach();
  log["global_gradient_norm"] = global_norm(grad_map);
  return log;
}

}  // namespace disco
