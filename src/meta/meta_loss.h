// The meta-loss of meta-training (colabs/meta_train.ipynb `_outer_loss`;
// shared/golden/METAGRAD.md section 4): after N inner updates, the updated
// agent θ_N is scored on a validation rollout by
//   pg        mean −log π(a_t)·Â_t        Â = sg(normalized_adv) of the meta
//                                        value function (meta/value_function.h)
//   − entropy_cost·H(π)                  mean over the T_v policy steps
//   + yz_entropy_cost·(−H(y) − H(z_a))   all L_v steps for y, T_v for z[a_t]
// plus regularisers of the rule's targets over the inner steps k:
//   + meta_out_mean_sq_cost·(mean_k (mean ŷ_k)² + mean_k (mean ẑ_k)² + mean_k (mean π̂_k)²)
//   + target_kl_cost·mean_{k,t,b} KL(sg(π_target,k) ‖ π̂_k)
// The inner-step terms are separable in k, so a meta-gradient can add each
// step's share while it walks back through the steps (meta/meta_gradient.h).
//
// Settings (defaults = the notebook):
//   entropy_cost           1e-2
//   yz_entropy_cost        1e-3
//   meta_out_mean_sq_cost  1e-3
//   target_kl_cost         1e-2
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

#include "core/types.h"
#include "meta/value_function.h"
#include "nets/agent_net.h"

namespace disco {

struct MetaLossSettings {
  double entropy_cost = 1e-2;
  double yz_entropy_cost = 1e-3;
  double meta_out_mean_sq_cost = 1e-3;
  double target_kl_cost = 1e-2;
};

// One inner step's regularisers, from the rule's outputs of that step
// ("pi" [T,B,A], "y", "z" [T,B,Y], "target_out/logits" [T+1,B,A]).
struct InnerRegularisers {
  torch::Tensor y_hat_mean_sq;   // (mean ŷ_k)²
  torch::Tensor z_hat_mean_sq;   // (mean ẑ_k)²
  torch::Tensor pi_hat_mean_sq;  // (mean π̂_k)²
  torch::Tensor target_kl;       // mean_{t,b} KL(sg(target logits) ‖ π̂_k)
};
InnerRegularisers inner_regularisers(const MetaOuts& meta_outs);

// Step k's share of the meta-loss when there are `num_steps` inner steps:
// (meta_out_mean_sq_cost·(y² + z² + π²) + target_kl_cost·KL) / num_steps.
torch::Tensor inner_regulariser_loss(const InnerRegularisers& r, int64_t num_steps,
                                     const MetaLossSettings& settings);

struct ValidationLoss {
  torch::Tensor pg_loss, pi_entropy, y_entropy_loss, z_entropy_loss;  // [] each
  torch::Tensor loss;   // pg − entropy_cost·H + yz_entropy_cost·(y + z entropy losses)
  AgentOuts agent_out;  // θ_N's outputs on the rollout, [L_v, B, ...] (no graph)
  MetaValueOuts value;  // the value function's outputs on it
};

// The validation part, differentiable in `params`; the value state is only
// read (its EMA update is used for the normalisation and then dropped).
ValidationLoss validation_loss(const AgentNet& net, const ParamMap& params,
                               const MetaValueFunction& value_fn, const MetaValueState& value,
                               const Rollout& valid, const MetaLossSettings& settings);

// Every meta_loss/* term of METAGRAD.md (pg_loss, pi_entropy, y_entropy_loss,
// z_entropy_loss, y_hat_mean_sq, z_hat_mean_sq, pi_hat_mean_sq, target_kl,
// reg_loss, total), from the validation loss and every inner step's
// regularisers; keeps graphs.
std::map<std::string, torch::Tensor> meta_loss_terms(const ValidationLoss& valid,
                                                     const std::vector<InnerRegularisers>& steps,
                                                     const MetaLossSettings& settings);

}  // namespace disco
