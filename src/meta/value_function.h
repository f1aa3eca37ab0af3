// The meta value function of meta-training (the reference's
// disco_rl/value_fns/value_fn.py with value_utils.get_value_outs, as
// colabs/meta_train.ipynb configures it): a state-value MLP, trained beside
// each agent with V-trace, whose normalised advantage on the validation
// rollout weights the meta-loss's policy gradient. It never carries a
// meta-gradient.
//
// On a rollout [L, B] with behaviour logits μ and policy logits π:
//   v      = h⁻¹(v_raw(observations))                  [L, B]
//   r_t    = rewards[:-1], γ_t = discount·discounts[:-1]  (the source's
//            alignment: not the rule's rewards[1:])
//   ρ_t    = π(a_t)/μ(a_t), V-trace with λ = td_lambda, ρ̄ = c̄ = 1
//   adv    = IMPALA's policy-gradient advantage, td = V-trace errors
//   normalized_adv = (adv − mean)/(sqrt(var + 1e-12) + eps) by the adv EMA
//   normalized_td  = td/(sqrt(var + 1e-12) + eps) by the td EMA
// (both EMAs updated with this rollout first). The update minimises
// outer_value_cost·mean ½(v_raw − sg(v_raw + normalized_td))² with Adam
// (stop-gradient denominator), an update clip and its own learning rate.
//
// Parameters: value_fn/~_embedding_pass/torso/~/linear_i/{w,b},
// value_fn/~_head_pass/torso_head/~/linear_0/{w,b} (nets/agent_net.h).
//
// Settings (defaults = the meta-training notebook):
//   dense            ints    MLP torso                  (256, 256)
//   learning_rate    double  Adam step                  1e-3
//   max_abs_update   double  per-entry update clip      1
//   discount         double  γ                          0.99
//   td_lambda        double  V-trace λ                  0.96
//   outer_value_cost double  weight of the value loss   1
//   ema_decay        double  advantage / TD normalisers 0.99
//   ema_eps          double                             1e-6
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "core/types.h"
#include "nets/agent_net.h"
#include "optim/inner_adam.h"
#include "rl/ema.h"

namespace disco {

struct MetaValueSettings {
  std::vector<int64_t> dense = {256, 256};
  double learning_rate = 1e-3;
  double max_abs_update = 1.0;
  double discount = 0.99;
  double td_lambda = 0.96;
  double outer_value_cost = 1.0;
  double ema_decay = 0.99;
  double ema_eps = 1e-6;
};

struct MetaValueState {
  ParamMap params;
  InnerAdamState opt;
  rl::EmaState adv_ema;
  rl::EmaState td_ema;
};

struct MetaValueOuts {
  torch::Tensor v_raw;           // [L, B]   network output
  torch::Tensor value;           // [L, B]   h⁻¹(v_raw)
  torch::Tensor rho;             // [L-1, B]
  torch::Tensor adv;             // [L-1, B]
  torch::Tensor normalized_adv;  // [L-1, B]
  torch::Tensor td;              // [L-1, B]
  torch::Tensor normalized_td;   // [L-1, B]
  rl::EmaState adv_ema;          // updated with adv
  rl::EmaState td_ema;           // updated with td
};

class MetaValueFunction {
 public:
  MetaValueFunction(MetaValueSettings settings, std::vector<int> observation_shape);

  MetaValueState init(uint64_t seed, torch::Device device) const;

  // Values and advantages on `rollout` for the policy `policy_logits`
  // [L, B, A]; v_raw keeps a graph to `params`, everything else is constant.
  MetaValueOuts outs(const ParamMap& params, const rl::EmaState& adv_ema,
                     const rl::EmaState& td_ema, const Rollout& rollout,
                     const torch::Tensor& policy_logits) const;

  // One update of `state` on `rollout`; returns the loss (0-d, no graph).
  torch::Tensor update(MetaValueState& state, const Rollout& rollout,
                       const torch::Tensor& policy_logits) const;

  const MetaValueSettings& settings() const { return settings_; }
  const AgentNet& net() const { return net_; }

 private:
  MetaValueSettings settings_;
  AgentNet net_;
  InnerAdam optimizer_;
};

}  // namespace disco
