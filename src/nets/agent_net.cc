#include "nets/agent_net.h"

#include "nets/haiku_init.h"
#include "nets/lstm_cell.h"
#include "core/shape_str.h"
#include "core/simd_tensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace disco {
namespace {

namespace F = torch::nn::functional;


// hk.Linear with Haiku's initialisers (nets/haiku_init.h); w_std <= 0
// means the default 1/sqrt(fan_in).
void init_linear(ParamMap& p, const std::string& name, int64_t in, int64_t out, double w_std,
                 Rng& rng) {
  add_linear_params(p, name, in, out, rng, torch::kFloat32,
                    w_std > 0 ? std::optional<double>(w_std) : std::nullopt);
}

std::string numbered(const std::string& base, size_t i) {
  return i == 0 ? base : base + "_" + std::to_string(i);
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// mlp(), its last layer written into `dst` ([rows, out], no graph recorded)
// where given: an output that goes straight to its place in a larger one.
torch::Tensor mlp_into(const torch::Tensor& x, const ParamMap& p, const std::string& prefix,
                       size_t layers, torch::Tensor dst) {
  if (!dst.defined()) return mlp(x, p, prefix, layers);
  const auto hidden = layers > 1 ? torch::relu(mlp(x, p, prefix, layers - 1)) : x;
  const auto last = mlp_layer(prefix, layers - 1);
  return torch::addmm_out(dst, param(p, last + "/b"), hidden, param(p, last + "/w"));
}

// Whether a module under `prefix` applied to x records a graph.
bool records_graph(const torch::Tensor& x, const ParamMap& p, const std::string& prefix) {
  if (!torch::GradMode::is_enabled()) return false;
  if (x.requires_grad()) return true;
  for (auto it = p.lower_bound(prefix); it != p.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    if (it->second.requires_grad()) return true;
  }
  return false;
}

// into[head] as [rows, width], where the output needs no graph; undefined
// otherwise (the output is computed as usual).
torch::Tensor destination(const AgentOuts* into, const std::string& head, int64_t rows,
                          int64_t width, bool graph) {
  if (into == nullptr || graph) return {};
  const auto it = into->find(head);
  if (it == into->end()) return {};
  return it->second.view({rows, width});
}

}  // namespace

AgentNet::AgentNet(AgentNetSettings settings, std::vector<int> observation_shape, int num_actions,
                   HeadSpecs flat_heads, HeadSpecs model_heads)
    : settings_(std::move(settings)),
      observation_shape_(std::move(observation_shape)),
      num_actions_(num_actions),
      flat_heads_(std::move(flat_heads)),
      root_(settings_.module_name + "/"),
      embed_(settings_.module_name + "/~_embedding_pass/"),
      head_(settings_.module_name + "/~_head_pass/") {
  if (settings_.module_name.empty()) throw std::invalid_argument("agent net: empty module_name");
  if (num_actions_ <= 0) throw std::invalid_argument("agent net: num_actions must be positive");
  if (settings_.torso != "mlp" && settings_.torso != "conv") {
    throw std::invalid_argument("agent net: unknown torso '" + settings_.torso +
                                "' (expected mlp or conv)");
  }
  if (settings_.torso == "conv" &&
      (observation_shape_.size() != 3 || settings_.conv_channels.empty())) {
    throw std::invalid_argument(
        "agent net: the conv torso needs [H, W, C] observations and conv_channels");
  }
  if (settings_.dense.empty()) throw std::invalid_argument("agent net: dense must not be empty");
  for (auto d : settings_.dense) {
    if (d <= 0) throw std::invalid_argument("agent net: dense sizes must be positive");
  }
  if (!model_heads.empty() && settings_.lstm_size <= 0) {
    throw std::invalid_argument("agent net: lstm_size must be positive");
  }
  // The reference creates model heads in the rule's dict order (Disco: z,
  // aux_pi, q), which fixes their Haiku names; other heads follow by name.
  for (const char* known : {"z", "aux_pi", "q"}) {
    auto it = model_heads.find(known);
    if (it != model_heads.end()) {
      model_heads_.emplace_back(*it);
      model_heads.erase(it);
    }
  }
  for (auto& head : model_heads) model_heads_.emplace_back(head);
}

ParamMap AgentNet::init(uint64_t seed) const {
  Rng gen(seed);
  ParamMap p;
  int64_t in = 1;
  for (int d : observation_shape_) in *= d;
  if (settings_.torso == "conv") {
    int64_t channels = observation_shape_[2];
    for (size_t i = 0; i < settings_.conv_channels.size(); ++i) {
      const auto out = settings_.conv_channels[i];
      const auto name = embed_ + "conv_torso/~/" + numbered("conv2_d", i);
      p[name + "/w"] = truncated_normal({3, 3, channels, out},
                                        1.0 / std::sqrt(9.0 * static_cast<double>(channels)), gen,
                                        torch::kFloat32);
      p[name + "/b"] = torch::zeros({out});
      channels = out;
    }
    in = observation_shape_[0] * observation_shape_[1] * channels;
  }
  for (size_t i = 0; i < settings_.dense.size(); ++i) {
    init_linear(p, mlp_layer(embed_ + "torso", i), in, settings_.dense[i], 0, gen);
    in = settings_.dense[i];
  }
  const int64_t embedding = in;
  size_t index = 0;
  for (const auto& [name, shape] : flat_heads_) {  // sorted by name, as jax.tree.map
    init_linear(p, head_ + numbered("torso_head", index++) + "/~/linear_0", embedding,
                numel(shape), settings_.head_w_init_std, gen);
  }
  if (!model_heads_.empty()) {
    const int64_t lstm = settings_.lstm_size;
    init_linear(p, root_ + "linear", embedding, lstm, 0, gen);
    init_linear(p, root_ + "action_cond/linear", num_actions_ + lstm, 4 * lstm, 0, gen);
    index = 0;
    for (const auto& [name, shape] : model_heads_) {
      int64_t width = lstm;
      std::vector<int64_t> sizes = settings_.model_head_hiddens;
      sizes.push_back(numel(shape));
      for (size_t i = 0; i < sizes.size(); ++i) {
        init_linear(p, mlp_layer(root_ + numbered("mlp", index), i), width,
                    sizes[i], 0, gen);
        width = sizes[i];
      }
      ++index;
    }
  }
  return p;
}

bool AgentNet::wanted(const std::string& head, const std::vector<std::string>& only) const {
  return only.empty() || std::find(only.begin(), only.end(), head) != only.end();
}

torch::Tensor AgentNet::torso(const ParamMap& p, const torch::Tensor& obs) const {
  const auto n = obs.size(0);
  torch::Tensor x = obs;
  if (settings_.torso == "conv") {
    x = x.permute({0, 3, 1, 2});  // NHWC -> NCHW
    for (size_t i = 0; i < settings_.conv_channels.size(); ++i) {
      const auto name = embed_ + "conv_torso/~/" + numbered("conv2_d", i);
      const auto w = param(p, name + "/w").permute({3, 2, 0, 1});  // HWIO -> OIHW
      x = torch::relu(F::conv2d(x, w, F::Conv2dFuncOptions().bias(param(p, name + "/b")).padding(1)));
    }
    x = x.permute({0, 2, 3, 1});  // back to NHWC so flattening matches Haiku
  }
  return mlp(x.reshape({n, -1}), p, embed_ + "torso", settings_.dense.size());
}

void AgentNet::model_heads(const ParamMap& p, const torch::Tensor& embedding,
                           const std::vector<std::string>& only, const torch::Tensor& taken,
                           const AgentOuts* into, const std::vector<std::string>& graph_heads,
                           AgentOuts& out) const {
  bool any = false, any_graph = false;
  for (const auto& head : model_heads_) {
    any = any || wanted(head.first, only);
    any_graph = any_graph || (wanted(head.first, only) && wanted(head.first, graph_heads));
  }
  if (!any) return;
  const bool grad = torch::GradMode::is_enabled();
  torch::AutoGradMode lstm_mode(grad && any_graph);  // no head needs the LSTM's graph
  const int64_t n = embedding.size(0), a = num_actions_, lstm = settings_.lstm_size;
  // Root: cell = linear(embedding), hidden = tanh(cell).
  const auto cell = linear(embedding, p, root_ + "linear");
  const auto hidden = torch::tanh(cell);
  // One LSTM step per action. gates = [onehot(a), h] W + b; the one-hot rows
  // of W are just W's first A rows, so each root's gates are h W_h + b plus
  // row a of W_x: [N, A, 4L] without materialising N*A one-hot inputs.
  const auto& w = param(p, root_ + "action_cond/linear/w");
  const auto& b = param(p, root_ + "action_cond/linear/b");
  const auto from_h = torch::addmm(b, hidden, w.slice(0, a));  // [N, 4L]
  const auto every_action = [&](const torch::Tensor& from_hidden, const torch::Tensor& root_cell) {
    const auto w_x = w.slice(0, 0, a);
    const bool graph = torch::GradMode::is_enabled() &&
                       (from_hidden.requires_grad() || root_cell.requires_grad() || w.requires_grad());
    if (!graph && simd::contiguous({&from_hidden, &root_cell, &w_x})) {
      // No graph: gates, cell and hidden state fused per root and action
      // (core/simd_rows.h), without the [N, A, 4L] gates in memory.
      auto hidden_out = torch::empty({n, a, lstm}, from_hidden.options());
      simd::lstm_hidden_per_action(from_hidden.data_ptr<float>(), w_x.data_ptr<float>(),
                                   root_cell.data_ptr<float>(), n, a, lstm,
                                   hidden_out.data_ptr<float>());
      return hidden_out;
    }
    const auto gates = from_hidden.unsqueeze(1) + w_x.unsqueeze(0);  // [N, A, 4L]
    return lstm_apply_gates(gates, root_cell.unsqueeze(1)).hidden;   // [N, A, L]
  };
  const size_t layers = settings_.model_head_hiddens.size() + 1;
  torch::Tensor h, h_taken;  // [N, A, L], [N, L]
  if (!taken.defined()) {
    h = every_action(from_h, cell);
  } else {
    // Every action's LSTM step as constants; the taken action's once more
    // with a graph, from its own row of W_x (the same sums, so the same
    // values, up to float rounding where the constants come from the fused
    // kernel), so that the backward pass runs the cell for one action, not A.
    const auto taken_long = taken.to(torch::kLong);
    {
      torch::NoGradGuard no_grad;
      h = every_action(from_h.detach(), cell.detach());
    }
    const auto gates = from_h + w.slice(0, 0, a).index_select(0, taken_long);  // [N, 4L]
    h_taken = lstm_apply_gates(gates, cell).hidden;
  }
  for (size_t i = 0; i < model_heads_.size(); ++i) {
    const auto& [name, shape] = model_heads_[i];
    if (!wanted(name, only)) continue;
    torch::AutoGradMode head_mode(grad && wanted(name, graph_heads));
    const std::string module = root_ + numbered("mlp", i);
    std::vector<int64_t> full = {n, a};
    full.insert(full.end(), shape.begin(), shape.end());
    const int64_t width = numel(shape);
    if (!taken.defined()) {
      const bool graph = records_graph(h, p, module);
      out[name] = mlp_into(h.reshape({n * a, lstm}), p, module, layers,
                           destination(into, name, n * a, width, graph))
                      .view(full);
      continue;
    }
    {
      torch::NoGradGuard no_grad;  // every action's outputs: constants
      out[name] = mlp_into(h.reshape({n * a, lstm}), p, module, layers,
                           destination(into, name, n * a, width, /*graph=*/false))
                      .view(full);
    }
    // The taken action's outputs, with their graph: a loss that reads them
    // here needs no [N, A, width] gather and scatter in its backward pass.
    const auto mine = mlp(h_taken, p, module, layers);  // [N, width]
    std::vector<int64_t> one = {n};
    one.insert(one.end(), shape.begin(), shape.end());
    out[taken_head(name)] = mine.reshape(one);
  }
}

std::string taken_head(const std::string& head) { return head + "@taken"; }

AgentOuts AgentNet::forward(const ParamMap& p, const torch::Tensor& observations,
                            const std::vector<std::string>& only) const {
  return forward_impl(p, observations, only, {}, nullptr, {});
}

AgentOuts AgentNet::forward_impl(const ParamMap& p, const torch::Tensor& observations,
                                 const std::vector<std::string>& only, const torch::Tensor& taken,
                                 const AgentOuts* into,
                                 const std::vector<std::string>& graph_heads) const {
  const auto n = observations.size(0);
  const auto embedding = torso(p, observations);
  const bool grad = torch::GradMode::is_enabled();
  AgentOuts out;
  size_t index = 0;
  for (const auto& [name, shape] : flat_heads_) {
    const auto layer = head_ + numbered("torso_head", index++) + "/~/linear_0";
    if (!wanted(name, only)) continue;
    torch::AutoGradMode head_mode(grad && wanted(name, graph_heads));
    std::vector<int64_t> full = {n};
    full.insert(full.end(), shape.begin(), shape.end());
    auto dst = destination(into, name, n, numel(shape), records_graph(embedding, p, layer));
    out[name] = (dst.defined() ? torch::addmm_out(dst, param(p, layer + "/b"), embedding,
                                                  param(p, layer + "/w"))
                               : linear(embedding, p, layer))
                    .reshape(full);
  }
  if (!model_heads_.empty()) model_heads(p, embedding, only, taken, into, graph_heads, out);
  return out;
}

AgentOuts AgentNet::unroll(const ParamMap& p, const torch::Tensor& observations,
                           const std::vector<std::string>& only,
                           const std::vector<std::string>& graph_heads) const {
  return unroll_impl(p, observations, only, {}, nullptr, graph_heads);
}

AgentOuts AgentNet::unroll_taken_gradients(const ParamMap& p, const torch::Tensor& observations,
                                           const torch::Tensor& actions) const {
  if (actions.dim() != 2 || actions.size(0) != observations.size(0) ||
      actions.size(1) != observations.size(1)) {
    throw std::invalid_argument("agent net: taken actions must be [T+1, B] like the observations");
  }
  return unroll_impl(p, observations, {}, actions.flatten(0, 1), nullptr, {});
}

AgentOuts AgentNet::unroll_into(const ParamMap& p, const torch::Tensor& observations,
                                const torch::Tensor& actions, const AgentOuts& into) const {
  const int64_t t = observations.size(0), b = observations.size(1);
  const auto shapes = output_shapes(actions.defined());
  const auto dtype = p.empty() ? torch::kFloat32 : p.begin()->second.scalar_type();
  AgentOuts rows;  // into's tensors as [N, ...] views
  for (const auto& [head, x] : into) {
    const auto it = shapes.find(head);
    std::vector<int64_t> shape = {t, b};
    if (it != shapes.end()) shape.insert(shape.end(), it->second.begin(), it->second.end());
    if (it == shapes.end() || x.sizes() != at::IntArrayRef(shape) || !x.is_contiguous() ||
        x.scalar_type() != dtype) {
      throw std::invalid_argument("agent net: no output '" + head + "' of shape " +
                                  shape_str(shape) + " to write into (contiguous, the " +
                                  "parameters' dtype), got " + shape_str(x.sizes()));
    }
    rows[head] = x.flatten(0, 1);
  }
  if (actions.defined()) {
    if (actions.dim() != 2 || actions.size(0) != t || actions.size(1) != b) {
      throw std::invalid_argument("agent net: taken actions must be [T+1, B] like the observations");
    }
    return unroll_impl(p, observations, {}, actions.flatten(0, 1), &rows, {});
  }
  return unroll_impl(p, observations, {}, {}, &rows, {});
}

std::map<std::string, std::vector<int64_t>> AgentNet::output_shapes(bool taken_heads) const {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, shape] : flat_heads_) shapes[name] = shape;
  for (const auto& [name, shape] : model_heads_) {
    shapes[name] = {num_actions_};
    shapes[name].insert(shapes[name].end(), shape.begin(), shape.end());
    if (taken_heads) shapes[taken_head(name)] = shape;
  }
  return shapes;
}

AgentOuts AgentNet::unroll_impl(const ParamMap& p, const torch::Tensor& observations,
                                const std::vector<std::string>& only, const torch::Tensor& taken,
                                const AgentOuts* into,
                                const std::vector<std::string>& graph_heads) const {
  const auto t = observations.size(0), b = observations.size(1);
  auto flat = forward_impl(p, observations.flatten(0, 1), only, taken, into, graph_heads);
  for (auto& [name, x] : flat) {
    std::vector<int64_t> shape = {t, b};
    shape.insert(shape.end(), x.sizes().begin() + 1, x.sizes().end());
    x = x.reshape(shape);
  }
  return flat;
}

std::string agent_param_legacy_name(const std::string& name) {
  // Before the rename: "mlp/~/" in front of every module, "~/linear" inside
  // the action-conditional LSTM, no method parts.
  static const std::pair<const char*, const char*> kRenames[] = {
      {"mlp/~_embedding_pass/", "mlp/~/"},
      {"mlp/~_head_pass/", "mlp/~/"},
      {"mlp/action_cond/linear/", "mlp/~/action_cond/~/linear/"},
      {"mlp/linear/", "mlp/~/linear/"},
      {"mlp/mlp", "mlp/~/mlp"}};
  for (const auto& [now, before] : kRenames) {
    if (name.rfind(now, 0) == 0) return before + name.substr(std::string(now).size());
  }
  return name;
}

AgentUnrollFn AgentNet::unroll_fn() const {
  return [this](const ParamMap& params, const torch::Tensor& observations,
                const torch::Tensor& /*should_reset*/, const std::vector<std::string>& graph_heads) {
    return unroll(params, observations, {}, graph_heads);
  };
}

}  // namespace disco
