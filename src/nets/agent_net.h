// The agent network of the reference's Disco setting (disco_rl/networks/
// nets.py MLP + action_models.py LSTMModel), as a functional forward over an
// explicit ParamMap so learner updates can keep the autograd graph.
//
//   torso   MLP over the flattened observation (ReLU between layers; like
//           hk.nets.MLP the last layer is not activated), or, for grid
//           observations [H, W, C], 3x3 SAME convolutions with ReLU first.
//   heads   one linear map per flat head (rule's flat_output_spec), weights
//           drawn with stddev head_w_init_std (the reference's 1e-2).
//   model   action-conditional heads (rule's model_output_spec): a root
//           embedding (linear to lstm_size; cell = it, hidden = tanh(it)),
//           one Haiku-style LSTM step per action with the one-hot action as
//           input, then an MLP (model_head_hiddens, ReLU) per model head.
//
// Parameter names are the reference's Haiku names, method parts included
// (Haiku prefixes modules created inside a method other than __call__ with
// "~<method>"), so agent parameters move between the reference and disco:
//   <module>/~_embedding_pass/torso/~/linear_i        torso
//   <module>/~_embedding_pass/conv_torso/~/conv2_d_i  conv torso
//   <module>/~_head_pass/torso_head{,_1,...}/~/linear_0   flat heads, sorted by name
//   <module>/linear, <module>/action_cond/linear      model root and LSTM
//   <module>/mlp{,_1,_2}/~/linear_i                   model heads (z, aux_pi, q)
// with <module> = "mlp" for agents, "value_fn" for the meta value function.
// Linear weights are [in, out] and conv weights [kh, kw, in, out] as in Haiku.
//
// Settings (defaults = the reference's evaluation notebook):
//   torso              string  "mlp" or "conv"              (default "mlp")
//   dense              ints    MLP torso layer sizes         (default 512,512)
//   conv_channels      ints    conv torso channels           (default 16)
//   head_w_init_std    double  flat-head init stddev, 0 = 1/sqrt(fan_in) (1e-2)
//   lstm_size          int     model LSTM size               (default 128)
//   model_head_hiddens ints    hidden sizes of model heads   (default 128)
//   module_name        string  Haiku module name of the net  (default "mlp")
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/types.h"

namespace disco {

struct AgentNetSettings {
  std::string torso = "mlp";
  std::vector<int64_t> dense = {512, 512};
  std::vector<int64_t> conv_channels = {16};
  double head_w_init_std = 1e-2;
  int64_t lstm_size = 128;
  std::vector<int64_t> model_head_hiddens = {128};
  std::string module_name = "mlp";
};

// The name an agent parameter had before the Haiku method parts were added
// ("mlp/~/torso/~/linear_0/w" for "mlp/~_embedding_pass/torso/~/linear_0/w"),
// so that older checkpoints still load; `name` itself if it was not renamed.
std::string agent_param_legacy_name(const std::string& name);

// The key under which unroll_taken_gradients returns a model head's outputs
// at the taken actions ("q" -> "q@taken").
std::string taken_head(const std::string& head);

class AgentNet {
 public:
  // Throws std::invalid_argument for bad settings (unknown torso, a conv
  // torso on a non-[H,W,C] observation, empty layer lists, ...).
  AgentNet(AgentNetSettings settings, std::vector<int> observation_shape, int num_actions,
           HeadSpecs flat_heads, HeadSpecs model_heads);

  // Fresh parameters drawn with Haiku's initialisers from `seed`.
  ParamMap init(uint64_t seed) const;

  // observations [N, obs...] -> every head [N, ...]. `only` (if not empty)
  // restricts the heads computed, e.g. {"logits"} for actors.
  AgentOuts forward(const ParamMap& params, const torch::Tensor& observations,
                    const std::vector<std::string>& only = {}) const;

  // observations [T+1, B, obs...] -> heads [T+1, B, ...], one batched call.
  // `graph_heads` (if not empty): when a graph is recorded, only these heads
  // carry it, the others come out as constants (no graph is kept for them,
  // nor for the model's LSTM if no model head among them needs it).
  AgentOuts unroll(const ParamMap& params, const torch::Tensor& observations,
                   const std::vector<std::string>& only = {},
                   const std::vector<std::string>& graph_heads = {}) const;

  // As unroll, for a loss that reads the model heads only at the taken
  // actions ([T+1, B] integers): the action-conditional LSTM step and the
  // heads run for every action without a graph (what the rule reads, as
  // constants) and once more, with one, for the taken action. Each model
  // head's taken-action outputs are returned under taken_head(head),
  // [T+1, B, ...]: gradients flow through them alone, so the model's
  // backward pass costs 1/A of unroll's. Values equal unroll's up to float
  // rounding (the every-action step may run as a fused kernel).
  AgentOuts unroll_taken_gradients(const ParamMap& params, const torch::Tensor& observations,
                                   const torch::Tensor& actions) const;

  // unroll (actions undefined) or unroll_taken_gradients (actions given),
  // writing each output that records no graph straight into into[head]: a
  // contiguous [T+1, B, ...] tensor of the parameters' dtype, such as a block of time steps of
  // a larger output. The returned map then holds views of those tensors for
  // such heads, fresh tensors for the others. Throws std::invalid_argument
  // for an entry of another shape or a head this network does not output.
  AgentOuts unroll_into(const ParamMap& params, const torch::Tensor& observations,
                        const torch::Tensor& actions, const AgentOuts& into) const;

  // Every output's shape after the leading [T+1, B] (or [N]) axes, with the
  // taken_head() entries where `taken_heads`.
  std::map<std::string, std::vector<int64_t>> output_shapes(bool taken_heads) const;

  // The rules' UnrollFn (this network has no recurrent state, so
  // should_reset is ignored). The returned function refers to *this.
  AgentUnrollFn unroll_fn() const;

  const AgentNetSettings& settings() const { return settings_; }
  int num_actions() const { return num_actions_; }
  const std::vector<int>& observation_shape() const { return observation_shape_; }

 private:
  torch::Tensor torso(const ParamMap& p, const torch::Tensor& obs) const;  // [N, E]
  // `taken` ([N] integers, or undefined): see unroll_taken_gradients.
  // `into` (or null): [N, ...] destinations, see unroll_into.
  // `graph_heads`: see unroll.
  void model_heads(const ParamMap& p, const torch::Tensor& embedding,
                   const std::vector<std::string>& only, const torch::Tensor& taken,
                   const AgentOuts* into, const std::vector<std::string>& graph_heads,
                   AgentOuts& out) const;
  AgentOuts forward_impl(const ParamMap& p, const torch::Tensor& observations,
                         const std::vector<std::string>& only, const torch::Tensor& taken,
                         const AgentOuts* into, const std::vector<std::string>& graph_heads) const;
  AgentOuts unroll_impl(const ParamMap& p, const torch::Tensor& observations,
                        const std::vector<std::string>& only, const torch::Tensor& taken,
                        const AgentOuts* into, const std::vector<std::string>& graph_heads) const;
  bool wanted(const std::string& head, const std::vector<std::string>& only) const;

  AgentNetSettings settings_;
  std::vector<int> observation_shape_;
  int num_actions_;
  HeadSpecs flat_heads_;
  std::vector<std::pair<std::string, std::vector<int64_t>>> model_heads_;  // Haiku order
  std::string root_, embed_, head_;  // "<module>/", and its two method scopes
};

}  // namespace disco
