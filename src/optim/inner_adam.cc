#include "optim/inner_adam.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/stop_gradient.h"
namespace disco {

InnerAdam::InnerAdam(InnerAdamSettings settings) : settings_(settings) {
  const auto& s = settings_;
  if (!(s.learning_rate > 0)) throw std::invalid_argument("optimiser: learning_rate must be > 0");
  if (!(s.b1 >= 0 && s.b1 < 1 && s.b2 >= 0 && s.b2 < 1)) {
    throw std::invalid_argument("optimiser: b1 and b2 must lie in [0, 1)");
  }
  if (!(s.eps >= 0) || s.max_abs_update < 0 || s.max_grad_norm < 0) {
    throw std::invalid_argument("optimiser: eps, max_abs_update and max_grad_norm must be >= 0");
  }
}

InnerAdamState InnerAdam::init(const ParamMap& params) const {
  InnerAdamState state;
  for (const auto& [name, p] : params) {
    state.mu[name] = torch::zeros_like(p).detach();
    state.nu[name] = torch::zeros_like(p).detach();
  }
  return state;
}

torch::Tensor global_norm(const ParamMap& tensors) {
  std::vector<torch::Tensor> squares;
  squares.reserve(tensors.size());
  for (const auto& [name, t] : tensors) squares.push_back(t.square().sum());
  return torch::stack(squares).sum().sqrt();
}

ParamMap InnerAdam::step(const ParamMap& params, const ParamMap& grads,
                         InnerAdamState& state) const {
  const auto& s = settings_;
  torch::Tensor grad_scale;  // undefined = no clipping
  if (s.max_grad_norm > 0) {
    // optax.clip_by_global_norm: g * max / max(norm, max); no host sync.
    const auto norm = global_norm(grads);
    grad_scale = s.max_grad_norm / torch::clamp_min(norm, s.max_grad_norm);
  }
  state.count += 1;
  const double bias1 = 1.0 - std::pow(s.b1, static_cast<double>(state.count));
  const double bias2 = 1.0 - std::pow(s.b2, static_cast<double>(state.count));
  ParamMap updated;
  for (const auto& [name, p] : params) {
    auto it = grads.find(name);
    if (it == grads.end() || !it->second.defined()) {
      throw std::invalid_argument("optimiser: no gradient for parameter '" + name + "'");
    }
    auto g = it->second;
    if (grad_scale.defined()) g = g * grad_scale;
    auto mu = s.b1 * state.mu.at(name) + (1.0 - s.b1) * g;
    auto nu = s.b2 * state.nu.at(name) + (1.0 - s.b2) * g.square();
    auto update = (mu / bias1) / (stop_gradient(nu / bias2).sqrt() + s.eps);
    if (s.max_abs_update > 0) update = update.clamp(-s.max_abs_update, s.max_abs_update);
    updated[name] = p - s.learning_rate * update;
    state.mu[name] = mu;
    state.nu[name] = nu.detach();  // reaches the update only through sg(ν̂)
  }
  return updated;
}

}  // namespace disco
