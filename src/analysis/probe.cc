#include "analysis/probe.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "rl/distributions.h"
#include "rules/disco_value.h"

namespace disco {

torch::Tensor RidgeProbe::predict(const torch::Tensor& x) const {
  return ((x.to(torch::kFloat64) - mean) / scale).matmul(weights) + bias;
}

RidgeProbe fit_ridge(const torch::Tensor& x_in, const torch::Tensor& y_in, double lambda) {
  if (x_in.dim() != 2 || y_in.dim() != 1 || x_in.size(0) != y_in.size(0) || x_in.size(0) < 2) {
    throw std::invalid_argument("fit_ridge: needs x [N, D] and y [N] with N >= 2");
  }
  const auto x = x_in.to(torch::kFloat64), y = y_in.to(torch::kFloat64);
  RidgeProbe p;
  p.mean = x.mean(0);
  p.scale = x.std(0, /*unbiased=*/false).clamp_min(1e-8);
  const auto xs = (x - p.mean) / p.scale;
  p.bias = y.mean().item<double>();
  const auto gram = xs.t().matmul(xs) + lambda * torch::eye(x.size(1), x.options().dtype(torch::kFloat64));
  p.weights = torch::linalg::solve(gram, xs.t().matmul(y - p.bias), /*left=*/true);
  return p;
}

double r_squared(const torch::Tensor& prediction, const torch::Tensor& target) {
  const auto y = target.to(torch::kFloat64), f = prediction.to(torch::kFloat64);
  const double ss_tot = (y - y.mean()).pow(2).sum().item<double>();
  const double ss_res = (y - f).pow(2).sum().item<double>();
  return ss_tot > 0 ? 1.0 - ss_res / ss_tot : std::numeric_limits<double>::quiet_NaN();
}

double roc_auc(const torch::Tensor& score, const torch::Tensor& label) {
  // Mann-Whitney U with average ranks for ties.
  const auto s = score.to(torch::kFloat64).contiguous();
  const auto l = label.to(torch::kFloat64).contiguous();
  const int64_t n = s.numel();
  const auto order = s.argsort();
  const auto* ps = s.data_ptr<double>();
  const auto* pl = l.data_ptr<double>();
  const auto* po = order.data_ptr<int64_t>();
  double rank_sum = 0, positives = 0;
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j + 1 < n && ps[po[j + 1]] == ps[po[i]]) ++j;
    const double rank = 0.5 * (i + j) + 1;  // average rank of the tie, 1-based
    for (int64_t m = i; m <= j; ++m) {
      if (pl[po[m]] > 0.5) {
        rank_sum += rank;
        positives += 1;
      }
    }
    i = j + 1;
  }
  const double negatives = n - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

namespace {

// One half of the episodes: for the entropy target the states t with t + k
// inside the episode; for the reward target the states whose next k rewards
// r_t .. r_{t+k-1} lie inside it (one more, so the last reward counts).
struct Split {
  std::map<std::string, std::vector<torch::Tensor>> features, reward_features;
  std::vector<torch::Tensor> entropy_ahead, large_reward;
};

}  // namespace

std::vector<ProbeScore> run_probes(const RecordedEpisodes& r, const ProbeSettings& s, double max_abs_value) {
  torch::NoGradGuard no_grad;
  if (r.episodes() < 2) throw std::invalid_argument("probe: needs at least 2 episodes (half train, half test)");
  if (!r.outs.count("y") || !r.outs.count("z") || !r.outs.count("q")) {
    throw std::invalid_argument("probe: needs an agent with y, z and q heads (a Disco rule's agent)");
  }
  const auto entropy = rl::entropy(r.outs.at("logits"));             // [L, E]
  const auto& z_all = r.outs.at("z");                                // [L, E, A, Y]
  const auto index = r.actions.view({r.actions.size(0), r.actions.size(1), 1, 1})
                         .expand({z_all.size(0), z_all.size(1), 1, z_all.size(3)});
  const auto z = z_all.gather(2, index).squeeze(2);                  // [L, E, Y]
  const auto q = categorical_to_value(r.outs.at("q"), max_abs_value);  // [L, E, A]
  const std::map<std::string, torch::Tensor> base = {{"y", r.outs.at("y")}, {"z", z}, {"q", q}};
  const std::vector<std::pair<std::string, std::vector<std::string>>> input_sets = {
      {"y", {"y"}}, {"z", {"z"}}, {"q", {"q"}}, {"y+z", {"y", "z"}}, {"y+z+q", {"y", "z", "q"}}};
  const int64_t half = r.episodes() / 2;

  std::vector<ProbeScore> scores;
  for (int k : s.horizons) {
    if (k < 1) throw std::invalid_argument("probe: horizons must be >= 1, got " + std::to_string(k));
    Split split[2];
    for (int64_t e = 0; e < r.episodes(); ++e) {
      Split& part = split[e < half ? 0 : 1];
      const int64_t n = r.lengths[e] - k;  // states t with t + k inside the episode
      if (n < 0) continue;
      for (const auto& [name, x] : base) {
        if (n > 0) part.features[name].push_back(x.slice(0, 0, n).select(1, e));
        part.reward_features[name].push_back(x.slice(0, 0, n + 1).select(1, e));
      }
      if (n > 0) part.entropy_ahead.push_back(entropy.slice(0, k, k + n).select(1, e));
      // A reward above the threshold among the next k rewards r_t .. r_{t+k-1}.
      const auto big = (r.rewards.select(1, e).slice(0, 0, r.lengths[e]) > s.reward_threshold).to(torch::kFloat32);
      part.large_reward.push_back(big.unfold(0, k, 1).amax(-1));
    }
    auto stack = [](const std::vector<torch::Tensor>& v) { return torch::cat(v, 0); };
    auto inputs = [&](const Split& part, bool reward, const std::vector<std::string>& names) {
      std::vector<torch::Tensor> x;
      for (const auto& n : names) x.push_back(stack((reward ? part.reward_features : part.features).at(n)));
      return torch::cat(x, 1);
    };
    const bool entropy_ok = !split[0].entropy_ahead.empty() && !split[1].entropy_ahead.empty();
    const bool reward_ok = !split[0].large_reward.empty() && !split[1].large_reward.empty();
    for (const auto& [label, names] : input_sets) {
      if (entropy_ok) {
        const auto xtr = inputs(split[0], false, names), xte = inputs(split[1], false, names);
        ProbeScore a{"policy_entropy", k, label, "r2", 0, xtr.size(0), xte.size(0)};
        a.score = r_squared(fit_ridge(xtr, stack(split[0].entropy_ahead), s.lambda).predict(xte),
                            stack(split[1].entropy_ahead));
        scores.push_back(a);
      }
      if (reward_ok) {
        const auto xtr = inputs(split[0], true, names), xte = inputs(split[1], true, names);
        ProbeScore b{"large_reward", k, label, "auc", 0, xtr.size(0), xte.size(0)};
        b.score = roc_auc(fit_ridge(xtr, stack(split[0].large_reward), s.lambda).predict(xte),
                          stack(split[1].large_reward));
        scores.push_back(b);
      }
    }
  }
  return scores;
}

}  // namespace disco
