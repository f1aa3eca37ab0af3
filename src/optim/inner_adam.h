// The agent's (inner) optimiser of the reference (disco_rl/agent.py):
//   optax.chain(scale_by_adam_sg_denom(), clip(max_abs_update), scale(-lr))
// As plain tensor arithmetic on ParamMaps, so the step keeps the autograd
// graph (meta-training) or runs under torch::NoGradGuard (training).
//
// One step with gradient g, count k (after increment):
//   mu  = b1 mu + (1 - b1) g            nu = b2 nu + (1 - b2) g^2
//   u   = (mu / (1 - b1^k)) / (sqrt(stop_grad(nu / (1 - b2^k))) + eps)
//   u   = clip(u, -max_abs_update, max_abs_update)   (skipped if <= 0)
//   p  <- p - lr u
// The denominator carries no (meta-)gradient, as in the reference's
// optimizers.scale_by_adam_sg_denom. Optionally (PPO, off by default) the
// gradients are first rescaled to a global norm of at most max_grad_norm.
//
// Settings:
//   learning_rate   double  step size                    (default 1e-2)
//   b1, b2, eps     double  Adam constants               (0.9, 0.999, 1e-8)
//   max_abs_update  double  per-entry update clip, 0=off (default 1)
//   max_grad_norm   double  global gradient clip, 0=off  (default 0)
#pragma once

#include <cstdint>

#include "core/params.h"

namespace disco {

struct InnerAdamSettings {
  double learning_rate = 1e-2;
  double b1 = 0.9;
  double b2 = 0.999;
  double eps = 1e-8;
  double max_abs_update = 1.0;
  double max_grad_norm = 0.0;
};

struct InnerAdamState {
  int64_t count = 0;
  ParamMap mu;  // first moments, like params
  ParamMap nu;  // second moments, like params
};

class InnerAdam {
 public:
  explicit InnerAdam(InnerAdamSettings settings);

  InnerAdamState init(const ParamMap& params) const;

  // New parameters (params - lr * update) and moments; `state` is replaced.
  // Gradients missing for a parameter throw. Without a graph to record, on
  // contiguous float32 CPU tensors, the step is one fused pass
  // (core/simd_rows.h) split over `threads` threads; it agrees with the
  // tensor form to float rounding. `norms`, if given, receives the global
  // norms of the gradients and of the update (new - old parameters), as
  // 0-d tensors.
  struct Norms {
    torch::Tensor gradient, update;
  };
  ParamMap step(const ParamMap& params, const ParamMap& grads, InnerAdamState& state,
                int threads = 1, Norms* norms = nullptr) const;

  const InnerAdamSettings& settings() const { return settings_; }

  // Whether step() takes the fused pass for these tensors (for tests).
  static bool fused(const ParamMap& params, const ParamMap& grads, const InnerAdamState& state);

 private:
  InnerAdamSettings settings_;
};

// sqrt(sum of squares) over every tensor, as a 0-d tensor.
torch::Tensor global_norm(const ParamMap& tensors);

}  // namespace disco
