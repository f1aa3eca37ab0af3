// Figure 4b of the paper: where each output looks in the observation.
// Gradient saliency: the mean over a batch of states of |∂ output / ∂ obs|,
// for scalar summaries of the agent's outputs.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "nets/agent_net.h"

namespace disco {

// observations [N, obs...] -> named scalar outputs, each [N], differentiable
// in the observations.
using ScalarOutputs = std::function<std::map<std::string, torch::Tensor>(const torch::Tensor&)>;

// For each output: mean over the N states of |∂ output_n / ∂ obs_n|, [obs...].
std::map<std::string, torch::Tensor> gradient_saliency(const ScalarOutputs& outputs,
                                                       const torch::Tensor& observations);

// A saliency map [obs...] as a grid [H, W] for drawing: [H, W] as is,
// [H, W, C] summed over channels, anything else as one row.
torch::Tensor saliency_grid(const torch::Tensor& saliency);

// The agent's outputs as scalars, at the action the policy prefers (a*):
//   "y" ||y||, "z" ||z(a*)||, "policy" logit(a*) - mean logit, "value" Σ π·q.
// Heads the network lacks are left out.
ScalarOutputs agent_scalar_outputs(const AgentNet& net, const ParamMap& params, double max_abs_value);

}  // namespace disco
