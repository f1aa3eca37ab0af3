// The meta-optimiser: plain Adam (optax.adam; Kingma & Ba 2015) on named
// tensors, for the outer loop only (no graph). Its state is plain tensors so
// that meta-training checkpoints hold it like everything else.
//   mu = b1 mu + (1-b1) g,  nu = b2 nu + (1-b2) g²,  k = count
//   p <- p - lr (mu / (1 - b1^k)) / (sqrt(nu / (1 - b2^k)) + eps)
//
// Settings (defaults = the meta-training notebook's optax.adam(5e-4)):
//   learning_rate 5e-4, b1 0.9, b2 0.999, eps 1e-8
#pragma once

#include <cstdint>

#include "core/params.h"

namespace disco {

struct OuterAdamSettings {
  double learning_rate = 5e-4;
  double b1 = 0.9;
  double b2 = 0.999;
  double eps = 1e-8;
};

struct OuterAdamState {
  int64_t count = 0;
  ParamMap mu;
  ParamMap nu;
};

// Zero moments shaped like `params`.
OuterAdamState outer_adam_init(const ParamMap& params);

// The update (to be added to the parameters) for gradients `grads`; advances
// `state`. Throws naming a parameter without a gradient.
ParamMap outer_adam_update(const ParamMap& grads, OuterAdamState& state,
                           const OuterAdamSettings& settings);

}  // namespace disco
