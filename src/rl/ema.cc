#include "rl/ema.h"

#include <stdexcept>

namespace disco::rl {

EmaState ema_init(const torch::TensorOptions& options) {
  return {torch::zeros({}, options), torch::zeros({}, options), torch::ones({}, options)};
}

void put_ema_state(std::map<std::string, torch::Tensor>& out, const std::string& prefix,
                   const EmaState& state) {
  out[prefix + "moment1"] = state.moment1;
  out[prefix + "moment2"] = state.moment2;
  out[prefix + "decay_product"] = state.decay_product;
}

EmaState get_ema_state(const std::map<std::string, torch::Tensor>& in, const std::string& prefix) {
  const auto get = [&](const char* name) {
    auto it = in.find(prefix + name);
    if (it == in.end() || !it->second.defined()) {
      throw std::invalid_argument("missing EMA state '" + prefix + name + "'");
    }
    return it->second;
  };
  return {get("moment1"), get("moment2"), get("decay_product")};
}

EmaState ema_update(const EmaState& state, const torch::Tensor& x, double decay) {
  return ema_update_from_means(state, x.mean(), torch::square(x).mean(), decay);
}

EmaState ema_update_from_means(const EmaState& state, const torch::Tensor& mean_x,
                               const torch::Tensor& mean_x2, double decay) {
  TORCH_CHECK(mean_x.numel() == 1 && mean_x2.numel() == 1,
              "ema_update_from_means: means must be scalars; got ", mean_x.sizes(), " and ",
              mean_x2.sizes());
  return {decay * state.moment1 + (1.0 - decay) * mean_x.reshape({}),
          decay * state.moment2 + (1.0 - decay) * mean_x2.reshape({}), state.decay_product * decay};
}

EmaMoments ema_mean_var(const EmaState& state) {
  const torch::Tensor debias = 1.0 / (1.0 - state.decay_product);
  const torch::Tensor mean = state.moment1 * debias;
  const torch::Tensor variance =
      torch::clamp_min(state.moment2 * debias - torch::square(mean), 0.0);
  return {mean, variance};
}

torch::Tensor ema_normalize(const torch::Tensor& x, const EmaState& state, double eps,
                            bool subtract_mean, double root_eps) {
  const EmaMoments moments = ema_mean_var(state);
  const torch::Tensor scale = torch::sqrt(moments.variance + root_eps) + eps;
  return subtract_mean ? (x - moments.mean) / scale : x / scale;
}

}  // namespace disco::rl
