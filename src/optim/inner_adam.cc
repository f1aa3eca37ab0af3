#include "optim/inner_adam.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/parallel_shards.h"
#include "core/simd_tensors.h"
#include "core/stop_gradient.h"

namespace disco {

// Every tensor of the step is a contiguous float32 CPU tensor without a
// graph to record: the fused kernel (core/simd_rows.h) can run.
bool InnerAdam::fused(const ParamMap& params, const ParamMap& grads, const InnerAdamState& state) {
  if (params.empty() || StopGradientTape::active() != nullptr) return false;
  const bool recording = torch::GradMode::is_enabled();
  for (const auto& [name, p] : params) {
    const auto it = grads.find(name);
    if (it == grads.end() || !it->second.defined()) return false;
    const auto& g = it->second;
    const auto &mu = state.mu.at(name), &nu = state.nu.at(name);
    if (!simd::contiguous({&p, &g, &mu, &nu}) || g.sizes() != p.sizes()) return false;
    if (recording && (p.requires_grad() || g.requires_grad() || mu.requires_grad())) return false;
  }
  return true;
}

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

ParamMap InnerAdam::step(const ParamMap& params, const ParamMap& grads, InnerAdamState& state,
                         int threads, Norms* norms) const {
  const auto& s = settings_;
  threads = std::max(threads, 1);
  const bool fused = InnerAdam::fused(params, grads, state);
  torch::Tensor grad_scale;  // undefined = no clipping
  if (s.max_grad_norm > 0) {
    // optax.clip_by_global_norm: g * max / max(norm, max); no host sync.
    const auto norm = global_norm(grads);
    grad_scale = s.max_grad_norm / torch::clamp_min(norm, s.max_grad_norm);
  }
  state.count += 1;
  const double bias1 = 1.0 - std::pow(s.b1, static_cast<double>(state.count));
  const double bias2 = 1.0 - std::pow(s.b2, static_cast<double>(state.count));
  if (fused) {
    simd::AdamConstants c;
    c.grad_scale = grad_scale.defined() ? grad_scale.item<float>() : 1.f;
    c.b1 = static_cast<float>(s.b1);
    c.b2 = static_cast<float>(s.b2);
    c.bias1 = static_cast<float>(bias1);
    c.bias2 = static_cast<float>(bias2);
    c.eps = static_cast<float>(s.eps);
    c.max_abs_update = static_cast<float>(s.max_abs_update);
    c.learning_rate = static_cast<float>(s.learning_rate);
    ParamMap updated, mu, nu;
    for (const auto& [name, p] : params) {
      updated[name] = torch::empty_like(p);
      mu[name] = torch::empty_like(p);
      nu[name] = torch::empty_like(p);
    }
    // Each thread takes its share of every tensor's entries.
    std::vector<simd::AdamSquares> squares(threads);
    parallel_shards(threads, [&](int k) {
      for (const auto& [name, p] : params) {
        const RowBlock part = row_block(p.numel(), threads, k);
        if (part.length == 0) continue;
        const auto at = [&](const torch::Tensor& t) { return t.data_ptr<float>() + part.start; };
        const auto sums =
            simd::adam(at(p), at(grads.at(name)), at(state.mu.at(name)), at(state.nu.at(name)),
                       part.length, c, at(updated.at(name)), at(mu.at(name)), at(nu.at(name)));
        squares[k].gradient += sums.gradient;
        squares[k].update += sums.update;
      }
    });
    state.mu = std::move(mu);
    state.nu = std::move(nu);
    if (norms) {
      double gradient = 0, update = 0;
      for (const auto& sq : squares) {
        gradient += sq.gradient;
        update += sq.update;
      }
      const auto options = params.begin()->second.options();
      norms->gradient = torch::tensor(static_cast<float>(std::sqrt(gradient)), options);
      norms->update = torch::tensor(static_cast<float>(std::sqrt(update)), options);
    }
    return updated;
  }
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
  if (norms) {
    torch::NoGradGuard no_grad;
    ParamMap update;
    for (const auto& [name, p] : updated) update[name] = p.detach() - params.at(name).detach();
    norms->gradient = global_norm(detach_all(grads));
    norms->update = global_norm(update);
  }
  return updated;
}

}  // namespace disco
