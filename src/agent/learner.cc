#include "agent/learner.h"

#include <torch/torch.h>

#include <vector>

namespace disco {
namespace {

bool any_requires_grad(const ParamMap& params) {
  for (const auto& [name, t] : params) {
    if (t.requires_grad()) return true;
  }
  return false;
}

// The observations of episodes cut by a time limit, and the online
// network's outputs for them (constants): what rules bootstrap a cut from.
void add_truncated_outputs(const AgentNet& net, const ParamMap& params, const Rollout& batch,
                           UpdateRuleInputs& inputs) {
  if (!inputs.truncated.defined()) return;
  torch::NoGradGuard no_grad;
  const auto cut = inputs.truncated > 0;  // [T, B]
  const auto final_obs = batch.truncated_observations.slice(0, 1).index({cut});  // [K, ...]
  if (final_obs.size(0) == 0) return;
  inputs.truncated_observations = final_obs;
  inputs.truncated_agent_out = detach_all(net.forward(detach_all(params), final_obs));
}

}  // namespace

LearnerStepResult learner_step(const AgentNet& net, const UpdateRule& rule,
                               const ParamMap& meta_params, const InnerAdam& optimizer,
                               const LearnerState& state, const Rollout& batch,
                               bool meta_training) {
  // The loss is differentiated in its own copy of θ, so that the gradient
  // follows only the loss's own unroll and not the rule's inputs. In
  // meta-training that copy is a differentiable function of θ (clone), so
  // the gradient stays a function of everything θ depends on.
  const bool params_carry_graph = meta_training && any_requires_grad(state.params);
  ParamMap loss_params;
  std::vector<torch::Tensor> leaves;
  for (const auto& [name, t] : state.params) {
    auto copy =
        params_carry_graph && t.requires_grad() ? t.clone() : t.detach().requires_grad_(true);
    loss_params[name] = copy;
    leaves.push_back(copy);
  }
  const auto agent_out = net.unroll(loss_params, batch.observations);
  auto inputs = UpdateRuleInputs::from_rollout(batch, agent_out);
  add_truncated_outputs(net, state.params, batch, inputs);

  // What the rule reads: the same outputs without the loss's graph; when θ
  // carries a meta-gradient, the heads the rule may differentiate (y, z)
  // come from a second unroll with θ itself.
  auto rule_inputs = inputs;
  rule_inputs.agent_out = detach_all(agent_out);
  if (params_carry_graph) {
    std::vector<std::string> heads;
    for (const char* head : {"y", "z"}) {
      if (agent_out.count(head)) heads.emplace_back(head);
    }
    if (!heads.empty()) {
      for (auto& [head, x] : net.unroll(state.params, batch.observations, heads)) {
        rule_inputs.agent_out[head] = x;
      }
    }
  }

  LearnerStepResult result;
  {
    torch::AutoGradMode grad_mode(meta_training);
    auto [outs, next_meta_state] = rule.unroll_meta_net(meta_params, state.params, state.meta_state,
                                                        rule_inputs, net.unroll_fn());
    result.meta_outs = meta_training ? std::move(outs) : detach_all(outs);
    result.next.meta_state =
        meta_training ? std::move(next_meta_state) : detach_all(next_meta_state);
  }
  const auto loss = rule.agent_loss(inputs, result.meta_outs, /*backprop=*/meta_training);
  const auto no_meta = rule.agent_loss_no_meta(inputs, result.meta_outs);
  auto per_step = loss.per_step;
  if (no_meta.per_step.defined()) per_step = per_step + no_meta.per_step;
  const auto total = masked_total_loss(per_step, loss_mask_from_discounts(batch.discounts));
  const auto grads = torch::autograd::grad({total}, leaves, /*grad_outputs=*/{},
                                           /*retain_graph=*/meta_training,
                                           /*create_graph=*/meta_training, /*allow_unused=*/true);

  ParamMap grad_map;
  size_t i = 0;
  for (const auto& [name, t] : state.params) {
    const auto& g = grads[i++];
    grad_map[name] = g.defined() ? g : torch::zeros_like(t);
  }
  {
    torch::AutoGradMode grad_mode(meta_training);
    result.next.opt = state.opt;
    result.next.params = optimizer.step(state.params, grad_map, result.next.opt);
  }
  result.agent_out = detach_all(agent_out);
  result.total_loss = meta_training ? total : total.detach();

  torch::NoGradGuard no_grad;
  auto& log = result.log;
  for (const auto& [k, v] : no_meta.log) log[k] = v.detach();
  for (const auto& [k, v] : loss.log) log[k] = v.detach();
  log["total_loss"] = total.detach();
  log["global_gradient_norm"] = global_norm(detach_all(grad_map));
  ParamMap update;
  for (const auto& [name, p] : result.next.params)
    update[name] = p.detach() - state.params.at(name).detach();
  log["update_norm"] = global_norm(update);
  return result;
}

LearnerState init_learner_state(const AgentNet& net, const UpdateRule& rule,
                                const InnerAdam& optimizer, uint64_t seed, torch::Device device) {
  LearnerState s;
  for (auto& [name, t] : net.init(seed)) s.params[name] = t.to(device);
  s.opt = optimizer.init(s.params);
  s.meta_state = detach_all(rule.init_meta_state(s.params));
  return s;
}

LearnerState detach_learner_state(const LearnerState& state) {
  LearnerState s;
  s.params = detach_all(state.params);
  s.opt.count = state.opt.count;
  s.opt.mu = detach_all(state.opt.mu);
  s.opt.nu = detach_all(state.opt.nu);
  s.meta_state = detach_all(state.meta_state);
  return s;
}

Learner::Learner(const AgentNet& net, const UpdateRule& rule, const ParamMap& meta_params,
                 InnerAdamSettings optimizer)
    : net_(net), rule_(rule), meta_params_(meta_params), optimizer_(optimizer) {}

LearnerState Learner::init(uint64_t seed, torch::Device device) const {
  return init_learner_state(net_, rule_, optimizer_, seed, device);
}

std::map<std::string, torch::Tensor> Learner::step(LearnerState& state,
                                                   const Rollout& batch) const {
  auto result = learner_step(net_, rule_, meta_params_, optimizer_, state, batch,
                             /*meta_training=*/false);
  state = std::move(result.next);
  return std::move(result.log);
}

}  // namespace disco
