#include "nets/meta_net.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/parallel_shards.h"
#include "core/rng.h"
#include "core/shape_str.h"
#include "core/simd_tensors.h"
#include "core/stop_gradient.h"
#include "nets/haiku_init.h"
#include "rl/batch_lookup.h"
#include "rl/transforms.h"

namespace disco {
namespace {

namespace F = torch::nn::functional;

// Haiku module paths of the meta-network and of its meta-RNN's unroll.
const std::string kNet = "lstm";
const std::string kMetaRnn = "lstm/~/meta_lstm/~unroll";

std::string conv_block(const std::string& sequential, size_t i) {
  return sequential + (i == 0 ? "/conv1_d" : "/conv1_d_" + std::to_string(i));
}

// One parameter: its shape and Haiku initialiser (truncated normal with
// `stddev`, or zeros for biases).
struct ParamSpec {
  std::vector<int64_t> shape;
  std::optional<double> stddev;  // nullopt: zeros
};
using ParamSpecs = std::map<std::string, ParamSpec>;

void linear_spec(ParamSpecs& specs, const std::string& prefix, int64_t in, int64_t out,
                 std::optional<double> stddev = std::nullopt) {
  specs[prefix + "/w"] = {{in, out}, stddev.value_or(1.0 / std::sqrt(double(in)))};
  specs[prefix + "/b"] = {{out}, std::nullopt};
}
void conv_spec(ParamSpecs& specs, const std::string& prefix, int64_t in, int64_t out) {
  specs[prefix + "/w"] = {{1, in, out}, 1.0 / std::sqrt(double(in))};
  specs[prefix + "/b"] = {{out}, std::nullopt};
}
int64_t mlp_spec(ParamSpecs& specs, const std::string& prefix, int64_t in,
                 const std::vector<int64_t>& sizes) {
  for (size_t i = 0; i < sizes.size(); ++i) {
    linear_spec(specs, mlp_layer(prefix, i), in, sizes[i]);
    in = sizes[i];
  }
  return in;
}
// Conv blocks read [x, mean_a x], hence 2·in input channels.
int64_t conv_net_spec(ParamSpecs& specs, const std::string& prefix, int64_t in,
                      const std::vector<int64_t>& channels) {
  for (size_t i = 0; i < channels.size(); ++i) {
    conv_spec(specs, conv_block(prefix, i), 2 * in, channels[i]);
    in = channels[i];
  }
  return in;
}

// Input sizes of _construct_input for embeddings of size `e` and an
// action-conditional embedding of size `c`: 9 scalar channels, 14 embedded
// y/z channels, mean and selected action-conditional embedding.
int64_t base_input_size(int64_t e, int64_t c) { return 9 + 14 * e + 2 * c; }
// π, μ, π', ẑ, ẑ', q, qv_adv, normalized qv_adv, one-hot action.
int64_t action_input_size(int64_t e) { return 7 + 2 * e; }

// Specs of the y_net/z_net/action-conditional part under `prefix`; returns
// the size of the constructed input.
int64_t input_net_spec(ParamSpecs& specs, const std::string& prefix, int64_t prediction_size,
                       const std::vector<int64_t>& embedding, const std::vector<int64_t>& channels) {
  const int64_t e = mlp_spec(specs, prefix + "/mlp", prediction_size, embedding);
  mlp_spec(specs, prefix + "/mlp_1", prediction_size, embedding);
  const int64_t c = conv_net_spec(specs, prefix + "/sequential", action_input_size(e), channels);
  return base_input_size(e, c);
}

ParamSpecs meta_net_specs(const MetaNetSettings& s) {
  if (s.embedding_size.empty() || s.policy_channels.empty() || s.policy_target_channels.empty() ||
      s.meta_rnn_embedding_size.empty() || s.meta_rnn_pred_embedding_size.empty() ||
      s.meta_rnn_policy_channels.empty()) {
    throw std::invalid_argument("MetaNetSettings: layer size lists must not be empty");
  }
  ParamSpecs specs;
  const int64_t h = s.hidden_size, hm = s.meta_rnn_hidden_size;
  const int64_t in = input_net_spec(specs, kNet, s.prediction_size, s.embedding_size, s.policy_channels);
  linear_spec(specs, kNet + "/lstm/linear", in + h, 4 * h);
  linear_spec(specs, kNet + "/linear", hm, h, s.state_stddev);
  linear_spec(specs, kNet + "/linear_1", h, 1, s.output_stddev);
  linear_spec(specs, kNet + "/linear_2", h, s.prediction_size, s.aux_stddev);
  linear_spec(specs, kNet + "/linear_3", h, s.prediction_size, s.aux_stddev);
  const int64_t pc = conv_net_spec(specs, kNet + "/sequential_1", h + s.policy_channels.back(),
                                   s.policy_target_channels);
  linear_spec(specs, kNet + "/linear_4", pc, 1, s.policy_target_stddev);

  const int64_t min = input_net_spec(specs, kMetaRnn, s.prediction_size,
                                     s.meta_rnn_pred_embedding_size, s.meta_rnn_policy_channels);
  // Meta-RNN input: its own meta input, meta_input_emb, y_net(softmax(y^)).
  const int64_t e = mlp_spec(specs, kMetaRnn + "/mlp_2",
                             min + 1 + s.meta_rnn_pred_embedding_size.back(),
                             s.meta_rnn_embedding_size);
  linear_spec(specs, kMetaRnn + "/lstm/linear", e + hm, 4 * hm);
  return specs;
}

// ----- forward pieces ------------------------------------------------------

// softmax(logits) w + b. Without a graph to record it is one fused kernel
// (core/simd_rows.h) where the CPU has it: the [..., 600] probabilities of
// the embeddings' inputs are never written out.
torch::Tensor softmax_linear(const torch::Tensor& logits, const torch::Tensor& w,
                             const torch::Tensor& b) {
  const bool graph = torch::GradMode::is_enabled() &&
                     (logits.requires_grad() || w.requires_grad() || b.requires_grad());
  const auto rows = simd::row_view(logits);
  if (!graph && rows && simd::contiguous({&w, &b}) && w.dim() == 2 && b.dim() == 1 &&
      w.size(0) == logits.size(-1) && b.size(0) == w.size(1)) {
    auto sizes = logits.sizes().vec();
    sizes.back() = w.size(1);
    auto out = torch::empty(sizes, logits.options());
    simd::softmax_linear(*rows, w.data_ptr<float>(), b.data_ptr<float>(), w.size(1),
                         out.data_ptr<float>());
    return out;
  }
  return torch::matmul(torch::softmax(logits, -1), w) + b;
}

// An MLP on softmax(logits).
torch::Tensor softmax_mlp(const torch::Tensor& logits, const ParamMap& params,
                          const std::string& prefix, size_t layers) {
  const auto first = mlp_layer(prefix, 0);
  const auto h = softmax_linear(logits, param(params, first + "/w"), param(params, first + "/b"));
  return layers > 1 ? mlp(torch::relu(h), params, prefix, layers, /*from=*/1) : h;
}

// Two MLPs on softmax(logits), their first layers as one product (the
// 600 -> 16 embeddings are too narrow for a matmul to run well alone).
std::pair<torch::Tensor, torch::Tensor> mlp_pair(const torch::Tensor& logits,
                                                 const ParamMap& params,
                                                 const std::string& prefix_a, size_t layers_a,
                                                 const std::string& prefix_b, size_t layers_b) {
  const auto first_a = mlp_layer(prefix_a, 0), first_b = mlp_layer(prefix_b, 0);
  const auto& w_a = param(params, first_a + "/w");
  const auto w = torch::cat({w_a, param(params, first_b + "/w")}, 1);
  const auto b = torch::cat({param(params, first_a + "/b"), param(params, first_b + "/b")});
  const auto both = softmax_linear(logits, w, b);
  const auto finish = [&](torch::Tensor h, const std::string& prefix, size_t layers) {
    return layers > 1 ? mlp(torch::relu(h), params, prefix, layers, /*from=*/1) : h;
  };
  const int64_t width_a = w_a.size(1);
  return {finish(both.slice(-1, 0, width_a), prefix_a, layers_a),
          finish(both.slice(-1, width_a), prefix_b, layers_b)};
}

// One block relu(Conv1D_k1([x, mean_a x])) over x [T, B, A, C], where x is
// [shared, own]: `shared` [T, B, S] is the same for every action (S may be
// 0: undefined), `own` [T, B, A, C - S] per action. The kernel's rows split
// the product, W = [W_x; W_m] with W_x = [W_xs; W_xo], W_m = [W_ms; W_mo]:
//   own W_xo + (shared (W_xs + W_ms) + (mean_a own) W_mo + b), broadcast over A,
// so neither [T, B, A, 2C] nor the shared part's A copies are built, and
// the per-step terms are multiplied once rather than A times.
torch::Tensor conv_block_apply(const torch::Tensor& shared, const torch::Tensor& own,
                               const ParamMap& params, const std::string& block) {
  const auto w = param(params, block + "/w")[0];  // [2C, out]
  const int64_t s = shared.defined() ? shared.size(-1) : 0;
  const int64_t c = s + own.size(-1);
  TORCH_CHECK(w.size(0) == 2 * c, "meta-net: ", block, " expects ", w.size(0) / 2,
              " input channels, got ", c);
  auto per_step = torch::matmul(own.mean(2), w.slice(0, c + s)) + param(params, block + "/b");
  if (s > 0) per_step = per_step + torch::matmul(shared, w.slice(0, 0, s) + w.slice(0, c, c + s));
  return torch::relu(torch::matmul(own, w.slice(0, s, c)) + per_step.unsqueeze(2));
}

// Blocks x <- relu(Conv1D_k1([x, mean_a x])) over x [T, B, A, C], the first
// on [shared, own] (conv_block_apply).
torch::Tensor conv_net(const torch::Tensor& shared, torch::Tensor own, const ParamMap& params,
                       const std::string& prefix, size_t blocks) {
  for (size_t i = 0; i < blocks; ++i) {
    own = conv_block_apply(i == 0 ? shared : torch::Tensor(), own, params, conv_block(prefix, i));
  }
  return own;
}

// [x_t, x_{t+1}] for t < T, over x [T+1, ...] (input_transforms.td_pair).
torch::Tensor td_pair(const torch::Tensor& x) {
  const int64_t n = x.size(0);
  return torch::cat({x.slice(0, 0, n - 1), x.slice(0, 1, n)}, -1);
}

// [x_t, x_t]: a td_pair whose next step is cut (the bootstrap=off ablation).
torch::Tensor same_step_pair(const torch::Tensor& x) {
  const auto now = x.slice(0, 0, x.size(0) - 1);
  return torch::cat({now, now}, -1);
}

torch::Tensor first(const torch::Tensor& x, int64_t t) { return x.slice(0, 0, t); }

// The embeddings of the agent's and the target's predictions by one input
// network's y_net ("<prefix>/mlp") and z_net ("<prefix>/mlp_1").
struct PredictionEmbeddings {
  torch::Tensor y, target_y;  // [T+1, B, E]
  torch::Tensor z, target_z;  // [T+1, B, A, E]
};

// The meta-network and its meta-RNN each embed the same four prediction
// distributions with their own weights: the softmaxes (over 600 entries, on
// [T+1, B, A, 600] for z) are taken once and both first layers run as one
// product (mlp_pair).
std::pair<PredictionEmbeddings, PredictionEmbeddings> embed_predictions(const MetaNetInputs& in,
                                                                        const ParamMap& params,
                                                                        const MetaNetSettings& s) {
  const size_t net_layers = s.embedding_size.size();
  const size_t rnn_layers = s.meta_rnn_pred_embedding_size.size();
  PredictionEmbeddings net, rnn;
  const auto embed = [&](const torch::Tensor& logits, const std::string& module,
                         torch::Tensor& net_out, torch::Tensor& rnn_out) {
    std::tie(net_out, rnn_out) = mlp_pair(logits, params, kNet + "/" + module, net_layers,
                                          kMetaRnn + "/" + module, rnn_layers);
  };
  embed(in.agent_y, "mlp", net.y, rnn.y);
  embed(in.target_y, "mlp", net.target_y, rnn.target_y);
  embed(in.agent_z, "mlp_1", net.z, rnn.z);
  embed(in.target_z, "mlp_1", net.target_z, rnn.target_z);
  return {net, rnn};
}

// The reference's _construct_input with the Disco103 input option: returns
// the per-step input [T, B, D] and the action-conditional embedding
// [T, B, A, C]. Module weights are read under `prefix`; `emb` holds that
// input network's embeddings of the predictions.
std::pair<torch::Tensor, torch::Tensor> construct_input(const MetaNetInputs& in,
                                                        const PredictionEmbeddings& emb,
                                                        const ParamMap& params,
                                                        const std::string& prefix,
                                                        size_t conv_blocks,
                                                        bool next_step_predictions = true) {
  const int64_t t = in.is_terminal.size(0);
  const int64_t num_actions = in.agent_logits.size(2);
  const auto actions = first(in.actions, t).to(torch::kLong);  // [T, B]
  const auto select = [&](const torch::Tensor& x) { return rl::batch_lookup(x, actions); };
  const auto col = [](const torch::Tensor& x) { return x.unsqueeze(-1); };

  // Policies, gradients stopped (stop_grad in the input option).
  const auto policy = stop_gradient(torch::softmax(in.agent_logits, -1));  // [T+1, B, A]
  const auto pi = first(policy, t);
  const auto mu = first(stop_gradient(torch::softmax(in.behaviour_logits, -1)), t);
  const auto pi_target = first(stop_gradient(torch::softmax(in.target_logits, -1)), t);

  // Embeddings of the predictions (y_net = mlp, z_net = mlp_1).
  const auto& y_emb = emb.y;
  const auto& y_emb_target = emb.target_y;
  const auto& z_emb = emb.z;  // [T+1, B, A, E]
  const auto& z_emb_target = emb.target_z;
  const auto pi_weighted = [&](const torch::Tensor& z) { return (z * col(policy)).sum(2); };
  const auto pair = next_step_predictions ? td_pair : same_step_pair;  // for y and z only
  const auto max_a = [](const torch::Tensor& z) { return std::get<0>(z.max(2)); };

  std::vector<torch::Tensor> channels = {
      col(select(pi)),
      col(select(mu)),
      col(rl::signed_logp1(in.rewards)),
      col(1.0 - in.is_terminal),
      stop_gradient(td_pair(col(rl::signed_logp1(in.v_scalar)))),
      stop_gradient(col(rl::signed_logp1(in.adv))),
      stop_gradient(col(in.normalized_adv)),
      col(select(pi_target)),
      pair(y_emb),
      pair(y_emb_target),
      select(first(z_emb, t)),
      pair(pi_weighted(z_emb)),
      pair(max_a(z_emb)),
      select(first(z_emb_target, t)),
      pair(pi_weighted(z_emb_target)),
      pair(max_a(z_emb_target)),
  };

  // Action-conditional features per (t, b, a), then the shared 1x1 convs.
  const auto one_hot = F::one_hot(actions, num_actions).to(pi.scalar_type());
  const auto action_features = torch::cat(
      {col(pi), col(mu), col(pi_target), first(z_emb, t), first(z_emb_target, t),
       stop_gradient(col(first(rl::signed_logp1(in.target_q), t))),
       stop_gradient(col(first(rl::signed_logp1(in.qv_adv), t))),
       stop_gradient(col(first(in.normalized_qv_adv, t))), col(one_hot)},
      -1);
  const auto act_cond_emb =
      conv_net(torch::Tensor(), action_features, params, prefix + "/sequential", conv_blocks);
  channels.push_back(act_cond_emb.mean(2));
  channels.push_back(select(act_cond_emb));
  return {torch::cat(channels, -1), act_cond_emb};
}

void check_inputs(const MetaNetInputs& in) {
  TORCH_CHECK(in.is_terminal.dim() == 2, "meta-net: is_terminal must be [T, B], got ",
              in.is_terminal.sizes());
  const int64_t t = in.is_terminal.size(0), b = in.is_terminal.size(1);
  TORCH_CHECK(in.agent_logits.dim() == 3 && in.agent_logits.size(0) == t + 1 &&
                  in.agent_logits.size(1) == b,
              "meta-net: agent logits must be [T+1, B, A] with T = ", t, ", B = ", b, ", got ",
              in.agent_logits.sizes());
  const auto expect = [&](const torch::Tensor& x, std::vector<int64_t> shape, const char* what) {
    TORCH_CHECK(x.defined() && x.sizes() == at::IntArrayRef(shape), "meta-net: ", what,
                " must have shape ", shape_str(shape), ", got ",
                x.defined() ? shape_str(x.sizes()) : std::string("nothing"));
  };
  const int64_t a = in.agent_logits.size(2);
  const int64_t y = in.agent_y.defined() ? in.agent_y.size(-1) : 0;
  expect(in.behaviour_logits, {t + 1, b, a}, "behaviour logits");
  expect(in.target_logits, {t + 1, b, a}, "target logits");
  expect(in.agent_y, {t + 1, b, y}, "agent y");
  expect(in.target_y, {t + 1, b, y}, "target y");
  expect(in.agent_z, {t + 1, b, a, y}, "agent z");
  expect(in.target_z, {t + 1, b, a, y}, "target z");
  expect(in.actions, {t + 1, b}, "actions");
  expect(in.rewards, {t, b}, "rewards");
  expect(in.v_scalar, {t + 1, b}, "v_scalar");
  expect(in.adv, {t, b}, "adv");
  expect(in.normalized_adv, {t, b}, "normalized_adv");
  expect(in.target_q, {t + 1, b, a}, "target q");
  expect(in.qv_adv, {t + 1, b, a}, "qv_adv");
  expect(in.normalized_qv_adv, {t + 1, b, a}, "normalized_qv_adv");
}

}  // namespace

std::map<std::string, std::vector<int64_t>> meta_net_param_shapes(const MetaNetSettings& settings) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, spec] : meta_net_specs(settings)) shapes[name] = spec.shape;
  return shapes;
}

ParamMap init_meta_net_params(const MetaNetSettings& settings, uint64_t seed,
                              const torch::TensorOptions& options) {
  Rng rng(seed);
  ParamMap params;
  for (const auto& [name, spec] : meta_net_specs(settings)) {
    params[name] = spec.stddev ? truncated_normal(spec.shape, *spec.stddev, rng, options)
                               : torch::zeros(spec.shape, options);
  }
  return params;
}

void check_meta_net_params(const ParamMap& params, const MetaNetSettings& settings) {
  const auto shapes = meta_net_param_shapes(settings);
  for (const auto& [name, shape] : shapes) {
    auto it = params.find(name);
    if (it == params.end()) throw std::invalid_argument("meta-network: missing parameter '" + name + "'");
    if (it->second.sizes() != at::IntArrayRef(shape)) {
      throw std::invalid_argument("meta-network: parameter '" + name + "' has shape " +
                                  shape_str(it->second.sizes()) + ", expected " + shape_str(shape));
    }
    if (it->second.scalar_type() != torch::kFloat32) {
      throw std::invalid_argument("meta-network: parameter '" + name + "' must be float32");
    }
  }
  for (const auto& [name, tensor] : params) {
    if (!shapes.count(name)) {
      throw std::invalid_argument("meta-network: unexpected parameter '" + name + "'");
    }
  }
}

LstmState meta_rnn_initial_state(const MetaNetSettings& settings,
                                 const torch::TensorOptions& options) {
  return lstm_zero_state({}, settings.meta_rnn_hidden_size, options);
}

namespace {

// Trajectories [start, start + length) of every input (batch = dimension 1).
MetaNetInputs batch_block(const MetaNetInputs& in, int64_t start, int64_t length) {
  MetaNetInputs block = in;
  for (auto* x : {&block.agent_logits, &block.behaviour_logits, &block.target_logits,
                  &block.agent_y, &block.target_y, &block.agent_z, &block.target_z,
                  &block.actions, &block.rewards, &block.is_terminal, &block.v_scalar, &block.adv,
                  &block.normalized_adv, &block.target_q, &block.qv_adv,
                  &block.normalized_qv_adv}) {
    if (x->defined()) *x = x->narrow(1, start, length);
  }
  return block;
}

// Everything but the meta-RNN's step, which averages over the whole batch:
// the outputs and intermediates of `in`'s trajectories, and the meta-RNN's
// per-step inputs in out.intermediates["meta_rnn_in"].
MetaNetOutputs apply_per_trajectory(const ParamMap& params, const LstmState& meta_rnn_state,
                                    const MetaNetInputs& in, const MetaNetSettings& s) {
  const int64_t b = in.is_terminal.size(1);
  MetaNetOutputs out;

  const auto [net_emb, rnn_emb] = embed_predictions(in, params, s);
  auto [x, act_cond_emb] = construct_input(in, net_emb, params, kNet, s.policy_channels.size());
  out.intermediates["meta_input"] = x;
  out.intermediates["act_cond_emb"] = act_cond_emb;

  // Trajectory LSTM backwards in time, reset before steps that end an episode.
  const auto zero = lstm_zero_state({b}, s.hidden_size, x.options());
  const auto traj = lstm_unroll(x, in.is_terminal, zero, params, kNet + "/lstm", /*reverse=*/true).first;
  out.intermediates["traj_lstm_out"] = traj;

  // Multiplicative interaction with the per-lifetime meta-RNN's output.
  const auto mult = traj * linear(meta_rnn_state.hidden, params, kNet + "/linear");
  out.intermediates["mult_out"] = mult;

  out.meta_input_emb = linear(mult, params, kNet + "/linear_1");
  if (s.prediction_targets_bootstrap) {
    out.y = linear(mult, params, kNet + "/linear_2");
    out.z = linear(mult, params, kNet + "/linear_3");
  } else {
    // No later step's predictions: their half of the input pairs is this
    // step's, and the LSTM is reset before every step.
    const auto x_now = construct_input(in, net_emb, params, kNet, s.policy_channels.size(),
                                       /*next_step_predictions=*/false).first;
    const auto alone = torch::ones_like(in.is_terminal);
    const auto step_only = lstm_unroll(x_now, alone, zero, params, kNet + "/lstm", /*reverse=*/true).first;
    const auto mult_now = step_only * linear(meta_rnn_state.hidden, params, kNet + "/linear");
    out.y = linear(mult_now, params, kNet + "/linear_2");
    out.z = linear(mult_now, params, kNet + "/linear_3");
  }
  // π̂'s blocks read [mult, act_cond_emb] per action; mult is per step.
  const auto w = conv_net(mult, act_cond_emb, params, kNet + "/sequential_1",
                          s.policy_target_channels.size());
  out.pi = linear(w, params, kNet + "/linear_4").squeeze(-1);

  // Meta-RNN: its own meta input plus the targets, embedded, averaged, one step.
  const auto meta_lstm_input =
      construct_input(in, rnn_emb, params, kMetaRnn, s.meta_rnn_policy_channels.size()).first;
  out.intermediates["meta_lstm_input"] = meta_lstm_input;
  const auto y_emb =
      softmax_mlp(out.y, params, kMetaRnn + "/mlp", s.meta_rnn_pred_embedding_size.size());
  out.intermediates["meta_rnn_in"] =
      mlp(torch::cat({meta_lstm_input, out.meta_input_emb, y_emb}, -1), params,
          kMetaRnn + "/mlp_2", s.meta_rnn_embedding_size.size());
  return out;
}

}  // namespace

MetaNetOutputs meta_net_apply(const ParamMap& params, const LstmState& meta_rnn_state,
                              const MetaNetInputs& in, const MetaNetSettings& s, int shards) {
  check_inputs(in);
  const int64_t b = in.is_terminal.size(1);
  const int n = block_count(b, shards);
  MetaNetOutputs out;
  if (n == 1) {
    out = apply_per_trajectory(params, meta_rnn_state, in, s);
  } else {
    // Trajectories are independent up to the meta-RNN's average: blocks of
    // them side by side, joined along the batch.
    std::vector<MetaNetOutputs> blocks(n);
    parallel_shards(n, [&](int k) {
      const RowBlock rows = row_block(b, n, k);
      blocks[k] = apply_per_trajectory(params, meta_rnn_state, batch_block(in, rows.start, rows.length), s);
    });
    const auto join = [&](const auto& get) {
      std::vector<torch::Tensor> parts;
      for (const auto& block : blocks) parts.push_back(get(block));
      return torch::cat(parts, 1);
    };
    out.pi = join([](const MetaNetOutputs& o) { return o.pi; });
    out.y = join([](const MetaNetOutputs& o) { return o.y; });
    out.z = join([](const MetaNetOutputs& o) { return o.z; });
    out.meta_input_emb = join([](const MetaNetOutputs& o) { return o.meta_input_emb; });
    for (const auto& [name, x] : blocks.front().intermediates) {
      out.intermediates[name] =
          join([&name = name](const MetaNetOutputs& o) { return o.intermediates.at(name); });
    }
  }
  // Meta-RNN: its per-step inputs averaged over the batch and time, one step.
  const auto rnn_in = out.intermediates.at("meta_rnn_in");
  out.intermediates.erase("meta_rnn_in");
  const auto x_avg = rnn_in.mean(std::vector<int64_t>{0, 1});
  out.intermediates["meta_lstm_x_avg"] = x_avg;
  out.meta_rnn_state = lstm_step(x_avg, meta_rnn_state, params, kMetaRnn + "/lstm");
  return out;
}

}  // namespace disco
