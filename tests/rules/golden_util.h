// Comparing outputs with the Disco103 golden file generically over its keys,
// with the tolerances of /work/shared/golden/README.md.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/params.h"

namespace disco::testing {

inline std::string golden_path() { return std::string(DISCO_SHARED_DIR) + "/golden/disco103_public.npz"; }
inline std::string weights_path() { return std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz"; }

// "call2/value_outs/rho" -> "value_outs/rho"; other keys unchanged.
inline std::string strip_call(const std::string& key) {
  if (key.rfind("call", 0) != 0) return key;
  return key.substr(key.find('/') + 1);
}

// Keys the rule reads (the rest are outputs to reproduce). call1/state_in is
// the given initial state; later calls' state_in must equal the carried state.
inline bool is_input_key(const std::string& key) {
  if (key.rfind("config/", 0) == 0 || key.rfind("call1/state_in/", 0) == 0) return true;
  const std::string k = strip_call(key);
  for (const char* prefix : {"agent_out/", "behaviour_agent_out/", "target_out/"}) {
    if (k.rfind(prefix, 0) == 0) return true;
  }
  for (const char* name : {"actions", "rewards", "is_terminal", "discounts", "loss_mask",
                           "should_reset_mask_bwd", "should_reset_mask_fwd"}) {
    if (k == name) return true;
  }
  return false;
}

struct Tolerance {
  double atol, rtol;
};

inline Tolerance tolerance_for(const std::string& key) {
  const std::string k = strip_call(key);
  const auto starts = [&](const char* p) { return k.rfind(p, 0) == 0; };
  if (k == "value_outs/rho") return {1e-5, 1e-4};
  if (starts("value_outs/normalized_")) return {2e-4, 1e-4};
  if (starts("value_outs/")) return {1e-2, 1e-4};
  if (starts("meta_out/") || starts("intermediates/")) return {1e-3, 1e-3};
  if (starts("state_out/meta_rnn/") || starts("state_in/meta_rnn/")) return {1e-4, 1e-3};
  if (starts("state_out/") || starts("state_in/")) return {1e-4, 2e-4};
  if (starts("loss/")) return {2e-4, 2e-4};
  if (starts("grad/agent_out/")) return {2e-5, 1e-3};
  if (starts("meta_grad")) return {1e-5, 1e-3};
  return {0.0, 0.0};  // unknown key: exact
}

// Group for reporting: "value_outs", "meta_out", ..., "meta_grad".
inline std::string group_of(const std::string& key) {
  const std::string k = strip_call(key);
  if (k.rfind("meta_grad", 0) == 0) return "meta_grad";
  if (k.rfind("grad/", 0) == 0) return "grad/agent_out";
  return k.substr(0, k.find('/'));
}

// max over elements of |x - g| / (atol + rtol·|g|); <= 1 passes. Infinity
// for a shape mismatch or a non-finite value.
inline double error_ratio(const torch::Tensor& x, const torch::Tensor& golden, Tolerance tol) {
  if (x.sizes() != golden.sizes()) return std::numeric_limits<double>::infinity();
  if (x.numel() == 0) return 0.0;
  const auto xd = x.to(torch::kFloat64), gd = golden.to(torch::kFloat64);
  if (!torch::isfinite(xd).all().item<bool>()) return std::numeric_limits<double>::infinity();
  return ((xd - gd).abs() / (tol.atol + tol.rtol * gd.abs())).max().item<double>();
}

struct Worst {
  double ratio = 0.0;
  std::string key;
  double max_abs_error = 0.0;  // over the whole group
};

// Compares every output key of `golden` with `out`; returns the worst ratio
// per group and lists failures (missing keys or ratio > 1) in `failures`.
inline std::map<std::string, Worst> compare_with_golden(const ParamMap& golden, const ParamMap& out,
                                                        std::vector<std::string>& failures) {
  std::map<std::string, Worst> worst;
  for (const auto& [key, g] : golden) {
    if (is_input_key(key)) continue;
    auto it = out.find(key);
    if (it == out.end()) {
      failures.push_back(key + ": missing");
      continue;
    }
    const double r = error_ratio(it->second, g, tolerance_for(key));
    Worst& w = worst[group_of(key)];
    if (r >= w.ratio) {
      w.ratio = r;
      w.key = key;
    }
    if (it->second.sizes() == g.sizes() && g.numel() > 0) {
      const double e = (it->second.to(torch::kFloat64) - g.to(torch::kFloat64)).abs().max().item<double>();
      w.max_abs_error = std::max(w.max_abs_error, e);
    }
    if (!(r <= 1.0)) failures.push_back(key + ": error/tolerance " + std::to_string(r));
  }
  return worst;
}

}  // namespace disco::testing
