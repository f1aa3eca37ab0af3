#include "agent/learner.h"

#include <torch/torch.h>

#include <optional>
#include <vector>

#include "agent/sharded_loss.h"
#include "agent/sharded_unroll.h"

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

// ∂total/∂leaves for a loss of the joined outputs `agent_out`.
std::vector<torch::Tensor> loss_gradient(const torch::Tensor& total, const AgentOuts& agent_out,
                                         const AgentOuts& net_out,
                                         const std::vector<torch::Tensor>& leaves,
                                         bool params_carry_graph, bool meta_training,
                                         const ShardedOuts* sharded) {
  if (params_carry_graph) {
    // In two parts, ∂loss/∂(aliases) then through the network (learner_step says why).
    std::vector<torch::Tensor> aliases, outputs, cotangents;
    for (const auto& [head, x] : agent_out) aliases.push_back(x);
    const auto by_head = torch::autograd::grad({total}, aliases, {}, /*retain_graph=*/true,
                                               /*create_graph=*/true, /*allow_unused=*/true);
    size_t h = 0;
    for (const auto& [head, x] : net_out) {
      if (by_head[h].defined()) {
        outputs.push_back(x);
        cotangents.push_back(by_head[h]);
      }
      ++h;
    }
    return torch::autograd::grad(outputs, leaves, cotangents, /*retain_graph=*/true,
                                 /*create_graph=*/true, /*allow_unused=*/true);
  }
  if (sharded) return grad_sharded(total, *sharded, leaves);
  return torch::autograd::grad({total}, leaves, /*grad_outputs=*/{},
                               /*retain_graph=*/meta_training,
                               /*create_graph=*/meta_training, /*allow_unused=*/true);
}

}  // namespace

LearnerStepResult learner_step(const AgentNet& net, const UpdateRule& rule,
                               const ParamMap& meta_params, const InnerAdam& optimizer,
                               const LearnerState& state, const Rollout& batch,
                               bool meta_training, int shards) {
  // The inner gradient follows only the loss's own use of the outputs, not
  // the rule's inputs (targets are constants to the agent).
  const bool params_carry_graph = meta_training && any_requires_grad(state.params);
  ParamMap loss_params;
  std::vector<torch::Tensor> leaves;
  AgentOuts agent_out, net_out;
  // Training splits the agent network's rows over `shards` threads.
  std::optional<ShardedOuts> sharded;
  if (params_carry_graph) {
    // θ is a function of the meta-parameters: one unroll with θ itself. The
    // rule reads its outputs (y and z with their graph, for the meta-gradient);
    // the loss reads aliases of them, and the gradient is taken in two parts,
    // ∂loss/∂(aliases) then through the network to θ, so that it follows the
    // loss's path alone without a second unroll.
    // (Parameters that the meta-parameters did not reach become leaves.)
    for (const auto& [name, t] : state.params) {
      loss_params[name] = t.requires_grad() ? t : t.detach().requires_grad_(true);
      leaves.push_back(loss_params[name]);
    }
    net_out = net.unroll(loss_params, batch.observations);
    for (const auto& [head, x] : net_out) agent_out[head] = x.view_as(x);
  } else {
    for (const auto& [name, t] : state.params) {
      loss_params[name] = t.detach().requires_grad_(true);
      leaves.push_back(loss_params[name]);
    }
    // Training reads every action's model-head outputs as constants; only
    // the taken action's need a gradient, a third of the heads' backward
    // pass with three actions. (Meta-training's inputs to the rule carry
    // every action's graph, so it keeps the full unroll.)
    const bool taken_only = !meta_training && rule.loss_reads_model_heads_at_taken_actions();
    if (!meta_training && shards > 1) {
      sharded = unroll_sharded(net, loss_params, batch.observations,
                               taken_only ? batch.actions : torch::Tensor(), shards);
      agent_out = sharded->joined;
    } else {
      agent_out = taken_only
                      ? net.unroll_taken_gradients(loss_params, batch.observations, batch.actions)
                      : net.unroll(loss_params, batch.observations);
    }
  }
  auto inputs = UpdateRuleInputs::from_rollout(batch, agent_out);
  add_truncated_outputs(net, state.params, batch, inputs);

  auto rule_inputs = inputs;
  rule_inputs.agent_out = detach_all(agent_out);
  if (sharded) rule_inputs.shards = shards;
  if (params_carry_graph) {
    for (const char* head : {"y", "z"}) {
      if (net_out.count(head)) rule_inputs.agent_out[head] = net_out.at(head);
    }
  }

  LearnerStepResult result;
  {
    torch::AutoGradMode grad_mode(meta_training);
    auto [outs, next_meta_state] =
        rule.unroll_meta_net(meta_params, state.params, state.meta_state, rule_inputs,
                             sharded ? sharded_unroll_fn(net, shards) : net.unroll_fn());
    result.meta_outs = meta_training ? std::move(outs) : detach_all(outs);
    result.next.meta_state =
        meta_training ? std::move(next_meta_state) : detach_all(next_meta_state);
  }
  const auto loss_mask = loss_mask_from_discounts(batch.discounts);
  std::map<std::string, torch::Tensor> loss_log;
  torch::Tensor total;
  std::vector<torch::Tensor> grads;
  if (sharded && rule.loss_splits_over_trajectories()) {
    // The loss, too, in blocks side by side: over trajectories.
    auto split = loss_sharded(rule, inputs, result.meta_outs, loss_mask, shards);
    total = split.total;
    loss_log = std::move(split.log);
    grads = grad_sharded(*sharded, split.cotangents, leaves);
  } else {
    auto loss = whole_agent_loss(rule, inputs, result.meta_outs, /*backprop=*/meta_training);
    total = masked_total_loss(loss.per_step, loss_mask);
    loss_log = std::move(loss.log);
    grads = loss_gradient(total, agent_out, net_out, leaves, params_carry_graph, meta_training,
                          sharded ? &*sharded : nullptr);
  }

  ParamMap grad_map;
  size_t i = 0;
  for (const auto& [name, t] : state.params) {
    const auto& g = grads[i++];
    grad_map[name] = g.defined() ? g : torch::zeros_like(t);
  }
  InnerAdam::Norms norms;
  {
    torch::AutoGradMode grad_mode(meta_training);
    result.next.opt = state.opt;
    result.next.params = optimizer.step(state.params, grad_map, result.next.opt,
                                        meta_training ? 1 : shards, &norms);
  }
  result.agent_out = detach_all(agent_out);
  result.total_loss = meta_training ? total : total.detach();

  torch::NoGradGuard no_grad;
  auto& log = result.log;
  log = std::move(loss_log);
  log["total_loss"] = total.detach();
  log["global_gradient_norm"] = norms.gradient;
  log["update_norm"] = norms.update;
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
                 InnerAdamSettings optimizer, int shards)
    : net_(net), rule_(rule), meta_params_(meta_params), optimizer_(optimizer), shards_(shards) {}

LearnerState Learner::init(uint64_t seed, torch::Device device) const {
  return init_learner_state(net_, rule_, optimizer_, seed, device);
}

std::map<std::string, torch::Tensor> Learner::step(LearnerState& state,
                                                   const Rollout& batch) const {
  auto result = learner_step(net_, rule_, meta_params_, optimizer_, state, batch,
                             /*meta_training=*/false, shards_);
  state = std::move(result.next);
  return std::move(result.log);
}

}  // namespace disco
