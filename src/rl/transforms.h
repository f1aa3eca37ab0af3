// Element-wise value transforms (rlax/_src/transforms.py).
//
// signed_hyperbolic h(x) = sign(x)(sqrt(|x| + 1) - 1) + eps·x squashes large
// returns so that one network output covers rewards of very different scales
// (Pohlen et al. 2018, "Observe and Look Further", arXiv:1805.11593);
// signed_parabolic is its exact inverse. Disco's categorical value heads are
// trained on h(return) and read back with h^-1.
#pragma once

#include <torch/types.h>

namespace disco::rl {

// sign(x)·log(1 + |x|)   (rlax.signed_logp1; Disco's meta-network inputs).
torch::Tensor signed_logp1(const torch::Tensor& x);

// sign(x)·(exp(|x|) - 1), the inverse of signed_logp1 (rlax.signed_expm1).
torch::Tensor signed_expm1(const torch::Tensor& x);

// sign(x)·(sqrt(|x| + 1) - 1) + eps·x   (rlax.signed_hyperbolic).
torch::Tensor signed_hyperbolic(const torch::Tensor& x, double eps = 1e-3);

// Inverse of signed_hyperbolic, computed as rlax does (rlax.signed_parabolic):
// z = sqrt(1 + 4·eps·(eps + 1 + |x|))/(2·eps) - 1/(2·eps), result sign(x)·(z² - 1).
// In float32 this loses about 1e-4 absolute near 0 to cancellation; we keep
// rlax's formula so results round like the reference's.
torch::Tensor signed_parabolic(const torch::Tensor& x, double eps = 1e-3);

}  // namespace disco::rl
