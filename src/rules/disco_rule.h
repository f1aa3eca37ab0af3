// DiscoRL's discovered update rule (Oh et al., "Discovering state-of-the-art
// reinforcement learning algorithms", Nature 2025; the reference's
// disco_rl/update_rules/disco.py, DiscoUpdateRule).
//
// The agent predicts a policy (logits), y [Y], and per action z [A, Y],
// aux_pi [A, A] and categorical q [A, NB]. Each learner step the rule
//   1. computes value targets from q with Retrace (rules/disco_value.h),
//   2. runs the meta-network (nets/meta_net.h) to get targets pi^, y^, z^,
//      advancing its per-lifetime meta-RNN and the EMA normalisers,
//   3. defines the agent's loss: KL(pi^‖π) + KL(y^‖y) + KL(z^‖z[a_t]) +
//      KL(π_{t+1}‖aux_pi[a_t])·(1 - terminal), plus (agent_loss_no_meta)
//      0.2 × the categorical value loss of q[a_t] against its Retrace target.
//
// Names used in MetaOuts (flat):
//   pi [T,B,A], y [T,B,Y], z [T,B,Y], meta_input_emb [T,B,1]
//   value_outs/<name>      rules/disco_value.h (q_td, q_target, adv, ...)
//   intermediates/<name>   nets/meta_net.h (meta_input, act_cond_emb, ...)
//   target_out/<head>      target network outputs used
// Names in MetaState (flat, as the golden file's state_in/):
//   meta_rnn/{hidden,cell} [128], {adv_ema,td_ema}/{moment1,moment2,decay_product} [],
//   target_params/<agent parameter name>  (EMA of the online parameters)
//
// Gradients: every stop-gradient of the reference sits here and in the
// meta-network (policy-derived inputs, value quantities, the aux-policy and
// value-loss targets), each through core/stop_gradient.h. Everything else
// follows the caller's grad mode: under a graph (meta-training) the targets,
// the returned meta-RNN state, the target network's outputs and its EMA
// update stay differentiable; a learner that does not meta-train runs the
// rule without a graph.
//
// Settings (defaults = Disco103, the reference's agent.py settings):
//   net                   MetaNetSettings (nets/meta_net.h)
//   value                 DiscoValueSettings (rules/disco_value.h)
//   pi_cost, y_cost, z_cost, aux_policy_cost   1
//   value_cost            0.2
//   target_params_coeff   0.9   target ← 0.9·target + 0.1·online
#pragma once

#include <string>
#include <utility>

#include "nets/meta_net.h"
#include "rl/ema.h"
#include "rules/disco_value.h"
#include "rules/update_rule.h"

namespace disco {

struct DiscoSettings {
  MetaNetSettings net;
  DiscoValueSettings value;
  double pi_cost = 1.0;
  double y_cost = 1.0;
  double z_cost = 1.0;
  double aux_policy_cost = 1.0;
  double value_cost = 0.2;
  double target_params_coeff = 0.9;
  // Ablation for the reliance analysis (not the reference): false gives the
  // meta-network constants (zeros) instead of the agent's and the target
  // network's y and z. `disco103(predictions=off)`.
  bool predictions = true;
};

class DiscoRule : public UpdateRule {
 public:
  explicit DiscoRule(DiscoSettings settings = {}) : settings_(std::move(settings)) {}

  const DiscoSettings& settings() const { return settings_; }

  std::string name() const override { return "disco"; }
  HeadSpecs flat_output_spec(int num_actions) const override;
  HeadSpecs model_output_spec(int num_actions) const override;
  // z, aux_pi and q enter the loss at the taken action (agent_loss_terms,
  // value_loss_terms); all actions' only as the meta-network's inputs.
  bool loss_reads_model_heads_at_taken_actions() const override { return true; }
  // Its batch-wide statistics (the EMAs) live in the targets, not the losses.
  bool loss_splits_over_trajectories() const override { return true; }

  ParamMap init_meta_params(uint64_t seed) const override;
  MetaState init_meta_state(const ParamMap& agent_params) const override;

  std::pair<MetaOuts, MetaState> unroll_meta_net(const ParamMap& meta_params,
                                                 const ParamMap& agent_params,
                                                 const MetaState& meta_state,
                                                 const UpdateRuleInputs& inputs,
                                                 const UnrollFn& unroll_agent) const override;
  // The target network's unroll (no online outputs needed).
  AgentOuts unroll_rule_net(const MetaState& meta_state, const torch::Tensor& observations,
                            const torch::Tensor& should_reset,
                            const UnrollFn& unroll_agent) const override;

  // The same with the target network's outputs given ([T+1, B, ...] logits,
  // y, z, q): values, meta-network, new meta-RNN and EMA states. Entries of
  // meta_state other than meta_rnn/ and *_ema/ pass through unchanged.
  // cut_values: see disco_value_outs (rules/disco_value.h).
  std::pair<MetaOuts, MetaState> unroll_with_target_out(const ParamMap& meta_params,
                                                        const MetaState& meta_state,
                                                        const UpdateRuleInputs& inputs,
                                                        const AgentOuts& target_out,
                                                        const torch::Tensor& cut_values = {}) const;

  LossOut agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                     bool backprop) const override;

  // [T, B] values of the observations time-limit cuts ended on (zeros
  // elsewhere), or undefined when nothing was cut.
  torch::Tensor cut_values(const ParamMap& target_params, const UpdateRuleInputs& inputs,
                           const UnrollFn& unroll_agent) const;
  LossOut agent_loss_no_meta(const UpdateRuleInputs& inputs,
                             const MetaOuts& meta_outs) const override;

  // Per-step terms [T, B]: pi, y, z, aux_policy, agent_loss (weighted sum).
  std::map<std::string, torch::Tensor> agent_loss_terms(const UpdateRuleInputs& inputs,
                                                        const MetaOuts& meta_outs,
                                                        bool backprop) const;
  // Per-step terms [T, B]: value (cross-entropy), agent_loss_no_meta (× value_cost).
  std::map<std::string, torch::Tensor> value_loss_terms(const UpdateRuleInputs& inputs,
                                                        const MetaOuts& meta_outs) const;

 private:
  DiscoSettings settings_;
};

// The Disco103 rule's meta-parameters from an .npz (the reference's names);
// throws std::invalid_argument naming any missing, extra or mis-shaped array.
ParamMap load_disco_meta_params(const std::string& path, const DiscoSettings& settings = {});

// Meta-RNN and EMA state at the start of a lifetime (no target parameters).
MetaState disco_initial_rule_state(const DiscoSettings& settings = {},
                                   const torch::TensorOptions& options = torch::kFloat32);

}  // namespace disco
