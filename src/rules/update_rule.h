// The update-rule interface, one to one with the reference's
// disco_rl/update_rules/base.py: a rule says which heads the agent needs,
// creates its meta-state, turns a rollout into targets (`unroll_meta_net`)
// and defines the agent's loss from them (`agent_loss`, plus
// `agent_loss_no_meta` for terms that do not carry meta-gradients, such as
// the value loss). Disco rules and hand-designed baselines (actor-critic,
// policy gradient, PPO) all implement it.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/params.h"
#include "core/types.h"

namespace disco {

class UpdateRule {
 public:
  virtual ~UpdateRule() = default;

  virtual std::string name() const = 0;

  // Heads the agent network must produce: flat ones per step, model
  // (action-conditional) ones per step and action.
  virtual HeadSpecs flat_output_spec(int num_actions) const = 0;
  virtual HeadSpecs model_output_spec(int num_actions) const { return {}; }
  // Heads the actors record into Rollout::agent_outs (behaviour outputs);
  // the reference keeps them all, but its rules read only the logits.
  virtual std::vector<std::string> behaviour_heads() const { return {"logits"}; }
  // Whether agent_loss and agent_loss_no_meta read the model heads only at
  // the taken actions (all actions may still be read as constants, by the
  // meta-network). Training then differentiates only those outputs
  // (AgentNet::unroll_taken_gradients).
  virtual bool loss_reads_model_heads_at_taken_actions() const { return false; }
  // Whether the losses are per trajectory: they read only the inputs' and
  // targets' [T(+1), B, ...] entries (not the cut observations), compute
  // each batch column from that column alone, and log means over [T, B].
  // Training's learner may then evaluate them on blocks of trajectories side
  // by side (agent/sharded_loss.h). Not a rule that normalises over the batch.
  virtual bool loss_splits_over_trajectories() const { return false; }

  // Meta-parameters (meta-network weights; empty for hand-designed rules).
  virtual ParamMap init_meta_params(uint64_t seed) const { return {}; }

  // State carried between learner steps, for an agent with these parameters.
  virtual MetaState init_meta_state(const ParamMap& agent_params) const { return {}; }

  using UnrollFn = AgentUnrollFn;  // core/types.h

  // Applies the rule's meta-network to a rollout: returns its outputs and the
  // next meta-state. Keeps the autograd graph to `meta_params` (and through
  // `meta_state`) so meta-training can differentiate it.
  virtual std::pair<MetaOuts, MetaState> unroll_meta_net(const ParamMap& meta_params,
                                                         const ParamMap& agent_params,
                                                         const MetaState& meta_state,
                                                         const UpdateRuleInputs& inputs,
                                                         const UnrollFn& unroll_agent) const = 0;

  // The agent network unrolled with the rule's own parameters from
  // `meta_state` (Disco: the target network), as unroll_meta_net unrolls it;
  // for analyses that read what the rule reads. Empty for rules without one.
  virtual AgentOuts unroll_rule_net(const MetaState& meta_state, const torch::Tensor& observations,
                                    const torch::Tensor& should_reset,
                                    const UnrollFn& unroll_agent) const {
    return {};
  }

  // The agent's loss per step [T,B]. `backprop`: let gradients flow into
  // meta_outs (meta-training) or treat them as constants (plain training).
  virtual LossOut agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                             bool backprop) const = 0;

  // Loss terms that never carry meta-gradients (e.g. Disco's value loss).
  virtual LossOut agent_loss_no_meta(const UpdateRuleInputs& inputs,
                                     const MetaOuts& meta_outs) const {
    return {};
  }
};

// Which loss steps count: loss_mask [T, B] = (discounts[:T] > 0) from the
// actor's discounts [T+1, B], i.e. not a step where the agent acted on a LAST
// time step (the reference's agent.py `masks`).
inline torch::Tensor loss_mask_from_discounts(const torch::Tensor& discounts) {
  return (discounts.slice(0, 0, discounts.size(0) - 1) > 0).to(discounts.scalar_type());
}

// The learner's scalar loss: Σ(per_step·loss_mask)/(Σ loss_mask + 1e-8).
inline torch::Tensor masked_total_loss(const torch::Tensor& per_step, const torch::Tensor& loss_mask) {
  return (per_step * loss_mask).sum() / (loss_mask.sum() + 1e-8);
}

}  // namespace disco
