// Disco's meta-network (the reference's disco_rl/networks/meta_nets.py, class
// LSTM with its per-lifetime MetaLSTM), as a function of named parameters.
//
// From a rollout and the rule's value estimates it builds a per-step input
// (`meta_input`, 27 channels for Disco103: policy probabilities, rewards,
// terminals, values, advantages, embeddings of y and z, and an
// action-conditional embedding from 1x1 convolutions shared over actions),
// runs an LSTM backwards in time with resets at terminals, conditions the
// result multiplicatively on the per-lifetime meta-RNN state, and emits the
// agent's targets: pi^ [T,B,A], y^ [T,B,Y], z^ [T,B,Y] and meta_input_emb
// [T,B,1]. The meta-RNN (an LSTM(128) stepped once per call on an average
// over T and B of a second, separately weighted input) is then advanced.
//
// Parameter names are the reference's Haiku names (disco_103.npz):
//   lstm/mlp, lstm/mlp_1            y_net, z_net: MLP(embedding_size) on 600 probs
//   lstm/sequential/conv1_d{,_1}    action-conditional blocks (policy_channels)
//   lstm/lstm/linear                trajectory LSTM(hidden_size), reversed in time
//   lstm/linear                     meta-RNN hidden -> multiplicative gate
//   lstm/linear_1, _2, _3           meta_input_emb, y^, z^
//   lstm/sequential_1/conv1_d, lstm/linear_4   pi^ head
//   lstm/~/meta_lstm/~unroll/{mlp, mlp_1, sequential, mlp_2, lstm}  meta-RNN
//
// Settings (defaults = Disco103, the reference's agent.py settings):
//   prediction_size            600        size of y and z
//   hidden_size                256        trajectory LSTM
//   embedding_size             {16, 1}    y_net / z_net MLP
//   policy_channels            {16, 2}    action-conditional conv blocks
//   policy_target_channels     {16}       pi^ conv blocks
//   output_stddev              0.3        init of lstm/linear_1 (meta_input_emb)
//   aux_stddev                 0.3        init of y^, z^ heads
//   policy_target_stddev       0.3        init of lstm/linear_4
//   state_stddev               1.0        init of the multiplicative gate
//   meta_rnn_hidden_size       128        per-lifetime meta-RNN
//   meta_rnn_embedding_size    {16}       its input MLP (mlp_2, no activation)
//   meta_rnn_pred_embedding_size {16, 1}  its y_net / z_net
//   meta_rnn_policy_channels   {16, 2}    its action-conditional blocks
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "core/params.h"
#include "nets/lstm_cell.h"

namespace disco {

struct MetaNetSettings {
  int64_t prediction_size = 600;
  int64_t hidden_size = 256;
  std::vector<int64_t> embedding_size = {16, 1};
  std::vector<int64_t> policy_channels = {16, 2};
  std::vector<int64_t> policy_target_channels = {16};
  double output_stddev = 0.3;
  double aux_stddev = 0.3;
  double policy_target_stddev = 0.3;
  double state_stddev = 1.0;
  int64_t meta_rnn_hidden_size = 128;
  std::vector<int64_t> meta_rnn_embedding_size = {16};
  std::vector<int64_t> meta_rnn_pred_embedding_size = {16, 1};
  std::vector<int64_t> meta_rnn_policy_channels = {16, 2};
  // Ablation for `disco analyze` (the reliance analysis), not the reference:
  // false computes ŷ and ẑ without any later step's predictions: the
  // trajectory LSTM is reset before every step and the next-step half of the
  // y and z input pairs is replaced by the current step's. Values, rewards
  // and advantages (which Retrace bootstraps from later steps) stay; π̂ keeps
  // the full input.
  bool prediction_targets_bootstrap = true;
};

// Everything the meta-network reads, time-major (the reference's
// UpdateRuleInputs plus extra_from_rule). Target = the target network.
struct MetaNetInputs {
  torch::Tensor agent_logits;       // [T+1, B, A]
  torch::Tensor behaviour_logits;   // [T+1, B, A]
  torch::Tensor target_logits;      // [T+1, B, A]
  torch::Tensor agent_y;            // [T+1, B, Y]
  torch::Tensor target_y;           // [T+1, B, Y]
  torch::Tensor agent_z;            // [T+1, B, A, Y]
  torch::Tensor target_z;           // [T+1, B, A, Y]
  torch::Tensor actions;            // [T+1, B] integer
  torch::Tensor rewards;            // [T, B]
  torch::Tensor is_terminal;        // [T, B] 0/1
  torch::Tensor v_scalar;           // [T+1, B]    online-policy value of target Q
  torch::Tensor adv;                // [T, B]
  torch::Tensor normalized_adv;     // [T, B]
  torch::Tensor target_q;           // [T+1, B, A] target scalar Q
  torch::Tensor qv_adv;             // [T+1, B, A]
  torch::Tensor normalized_qv_adv;  // [T+1, B, A]
};

struct MetaNetOutputs {
  torch::Tensor pi;              // [T, B, A] policy target logits
  torch::Tensor y;               // [T, B, Y]
  torch::Tensor z;               // [T, B, Y]
  torch::Tensor meta_input_emb;  // [T, B, 1]
  // meta_input [T,B,27], act_cond_emb [T,B,A,2], traj_lstm_out [T,B,256],
  // mult_out [T,B,256], meta_lstm_input [T,B,27], meta_lstm_x_avg [16].
  std::map<std::string, torch::Tensor> intermediates;
  LstmState meta_rnn_state;      // after this call, [meta_rnn_hidden_size] each
};

// Name -> shape of every meta-parameter.
std::map<std::string, std::vector<int64_t>> meta_net_param_shapes(const MetaNetSettings& settings);

// Random meta-parameters with the reference's Haiku initialisers.
ParamMap init_meta_net_params(const MetaNetSettings& settings, uint64_t seed,
                              const torch::TensorOptions& options = torch::kFloat32);

// Throws std::invalid_argument naming the first missing, unexpected or
// mis-shaped tensor.
void check_meta_net_params(const ParamMap& params, const MetaNetSettings& settings);

// The meta-RNN's initial state: zeros [meta_rnn_hidden_size].
LstmState meta_rnn_initial_state(const MetaNetSettings& settings,
                                 const torch::TensorOptions& options = torch::kFloat32);

// One application: targets for the agent and the advanced meta-RNN state.
// Differentiable in `params` and `meta_rnn_state`. `shards` > 1 splits the
// trajectories into that many blocks computed side by side (one thread each,
// core/parallel_shards.h); only the meta-RNN's batch average joins them, and
// the values equal one block's up to the rounding of smaller matrix products.
MetaNetOutputs meta_net_apply(const ParamMap& params, const LstmState& meta_rnn_state,
                              const MetaNetInputs& inputs, const MetaNetSettings& settings,
                              int shards = 1);

}  // namespace disco
