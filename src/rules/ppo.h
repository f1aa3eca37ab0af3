// PPO (Schulman et al. 2017, "Proximal Policy Optimization Algorithms",
// arXiv:1707.06347) as an update rule, with the defaults of CleanRL's ppo.py
// (Huang et al. 2022, "The 37 Implementation Details of PPO"):
//
//   adv     GAE(γ, λ) from the BEHAVIOUR values v_old (what the actor's
//           network predicted, recorded with the rollout), normalised over
//           the minibatch when norm_adv; returns = adv + v_old.
//   loss    max(-r·adv, -clip(r, 1±clip_coef)·adv),  r = π(a)/π_old(a)
//         + vf_coef·0.5·max((v - R)², (v_old + clip(v - v_old, ±clip_coef) - R)²)
//           (the unclipped square when clip_vloss is false)
//         - ent_coef·H(π)
//
// The epochs over minibatches, global gradient-norm clipping (0.5), Adam
// (lr 2.5e-4, eps 1e-5) and rollout shape (4 envs x 128 steps) are the
// trainer's and optimiser's settings; `disco train --rule ppo` picks them.
// Not reproduced: CleanRL's learning-rate annealing; minibatches are whole
// trajectories (the rule interface is time-major) rather than shuffled
// single transitions.
//
// Settings:
//   gamma        0.99     discount
//   gae_lambda   0.95
//   clip_coef    0.2
//   clip_vloss   true
//   ent_coef     0.01
//   vf_coef      0.5
//   norm_adv     true
#pragma once

#include <string>
#include <utility>

#include "rules/update_rule.h"

namespace disco {

struct PpoSettings {
  double gamma = 0.99;
  double gae_lambda = 0.95;
  double clip_coef = 0.2;
  bool clip_vloss = true;
  double ent_coef = 0.01;
  double vf_coef = 0.5;
  bool norm_adv = true;
};

class Ppo : public UpdateRule {
 public:
  explicit Ppo(PpoSettings settings = {});

  std::string name() const override { return "ppo"; }
  HeadSpecs flat_output_spec(int num_actions) const override;
  std::vector<std::string> behaviour_heads() const override { return {"logits", "v"}; }
  std::pair<MetaOuts, MetaState> unroll_meta_net(const ParamMap& meta_params,
                                                 const ParamMap& agent_params,
                                                 const MetaState& meta_state,
                                                 const UpdateRuleInputs& inputs,
                                                 const UnrollFn& unroll_agent) const override;
  LossOut agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                     bool backprop) const override;

 private:
  PpoSettings settings_;
};

}  // namespace disco
