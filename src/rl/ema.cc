#include "rl/ema.h"

namespace disco::rl {

EmaState ema_init(const torch::TensorOptions& options) {
  return {torch::zeros({}, options), torch::zeros({}, options), torch::ones({}, options)};
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
