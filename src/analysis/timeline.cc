#include "analysis/timeline.h"

#include <torch/torch.h>

#include <limits>

#include "rl/distributions.h"
#include "rules/disco_value.h"

namespace disco {

torch::Tensor agent_value(const AgentOuts& outs, double max_abs_value) {
  const auto& logits = outs.at("logits");
  if (outs.count("q")) {
    const auto q = categorical_to_value(outs.at("q"), max_abs_value);  // [.., A]
    return (torch::softmax(logits, -1) * q).sum(-1);
  }
  if (outs.count("v")) {
    const auto& v = outs.at("v");
    return v.size(-1) == 1 ? v.squeeze(-1) : categorical_to_value(v, max_abs_value);
  }
  return torch::full(logits.sizes().slice(0, logits.dim() - 1), std::numeric_limits<float>::quiet_NaN());
}

Timeline compute_timeline(const RecordedEpisodes& r, double max_abs_value) {
  torch::NoGradGuard no_grad;
  const auto mask = r.mask();
  Timeline t;
  const auto& logits = r.outs.at("logits");
  t.policy_entropy = rl::entropy(logits) * mask;
  if (r.outs.count("y")) {
    const auto log_p = torch::log_softmax(r.outs.at("y"), -1);
    t.y_confidence = (log_p.exp() * log_p).sum(-1) * mask;
  } else {
    t.y_confidence = torch::full_like(mask, std::numeric_limits<float>::quiet_NaN());
  }
  t.value = agent_value(r.outs, max_abs_value) * mask;
  t.reward = r.rewards * mask;
  return t;
}

}  // namespace disco
