#include "optim/outer_adam.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace disco {

OuterAdamState outer_adam_init(const ParamMap& params) {
  OuterAdamState s;
  for (const auto& [name, p] : params) {
    s.mu[name] = torch::zeros_like(p).detach();
    s.nu[name] = torch::zeros_like(p).detach();
  }
  return s;
}

ParamMap outer_adam_update(const ParamMap& grads, OuterAdamState& state,
                           const OuterAdamSettings& s) {
  torch::NoGradGuard no_grad;
  state.count += 1;
  const double bias1 = 1.0 - std::pow(s.b1, static_cast<double>(state.count));
  const double bias2 = 1.0 - std::pow(s.b2, static_cast<double>(state.count));
  ParamMap update;
  for (auto& [name, mu] : state.mu) {
    auto it = grads.find(name);
    if (it == grads.end())
      throw std::invalid_argument("meta-optimiser: no gradient for '" + name + "'");
    const auto& g = it->second;
    auto& nu = state.nu.at(name);
    mu = s.b1 * mu + (1.0 - s.b1) * g;
    nu = s.b2 * nu + (1.0 - s.b2) * g.square();
    update[name] = -s.learning_rate * (mu / bias1) / ((nu / bias2).sqrt() + s.eps);
  }
  return update;
}

}  // namespace disco
