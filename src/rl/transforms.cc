#include "rl/transforms.h"

namespace disco::rl {

torch::Tensor signed_logp1(const torch::Tensor& x) {
  return torch::sign(x) * torch::log1p(torch::abs(x));
}

torch::Tensor signed_expm1(const torch::Tensor& x) {
  return torch::sign(x) * torch::expm1(torch::abs(x));
}

torch::Tensor signed_hyperbolic(const torch::Tensor& x, double eps) {
  return torch::sign(x) * (torch::sqrt(torch::abs(x) + 1.0) - 1.0) + eps * x;
}

torch::Tensor signed_parabolic(const torch::Tensor& x, double eps) {
  const torch::Tensor z =
      torch::sqrt(1.0 + 4.0 * eps * (eps + 1.0 + torch::abs(x))) / 2.0 / eps - 1.0 / 2.0 / eps;
  return torch::sign(x) * (torch::square(z) - 1.0);
}

}  // namespace disco::rl
