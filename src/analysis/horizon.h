// Figure 4d of the paper: how far a Disco rule bootstraps. For each target
// X̂ in {π̂, ŷ, ẑ} and each offset k, the size of ∂X̂_t / ∂p_{t+k}: how much
// the target at step t moves when the agent's predictions p at step t+k
// (every output the meta-network reads: logits, y, z, aux_pi, q) move.
//
// The Jacobian's Frobenius norm is estimated with random projections:
// E_v ||Jᵀv||² = ||J||²_F for v ~ N(0, I), one backward pass per (t, b, v).
// Each trajectory b is differentiated on its own (batch statistics couple
// trajectories weakly, through the advantage and TD normalisers). These are
// total derivatives: the rule's stop-gradients (which say what the AGENT's
// loss holds constant) are switched off, so the numbers are what finite
// differences of the targets give.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rules/disco_rule.h"

namespace disco {

// The gradient of <v, X̂_{t,b}> (X̂ = meta-output `target`: "pi", "y" or "z",
// v shaped like X̂_{t,b}) w.r.t. every head of inputs.agent_out ([T+1, B, ...]).
AgentOuts projected_target_gradient(const DiscoRule& rule, const ParamMap& meta_params,
                                    const MetaState& meta_state, const UpdateRuleInputs& inputs,
                                    const AgentOuts& target_out, const std::string& target,
                                    int64_t t, int64_t b, const torch::Tensor& v);

struct HorizonSettings {
  int projections = 2;  // random v per (t, b)
  uint64_t seed = 0;
};

struct Horizon {
  std::vector<int64_t> ks;                              // -(T-1) .. T
  std::map<std::string, torch::Tensor> per_trajectory;  // target -> [B, K], mean over t (NaN: no t)
  std::map<std::string, torch::Tensor> mean;            // target -> [K], mean over trajectories
};

Horizon bootstrap_horizon(const DiscoRule& rule, const ParamMap& meta_params, const MetaState& meta_state,
                          const UpdateRuleInputs& inputs, const AgentOuts& target_out,
                          const HorizonSettings& settings);

}  // namespace disco
