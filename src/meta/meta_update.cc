#include "meta/meta_update.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

namespace disco {
namespace {

// The named fields of AgentStats, in the order they travel between ranks.
const std::vector<std::pair<std::string, double AgentStats::*>>& stat_fields() {
  static const std::vector<std::pair<std::string, double AgentStats::*>> fields = {
      {"avg_return", &AgentStats::avg_return}, {"pos_rewards", &AgentStats::pos_rewards},
      {"neg_rewards", &AgentStats::neg_rewards}, {"return_sum", &AgentStats::return_sum},
      {"episodes", &AgentStats::episodes},     {"reset", &AgentStats::reset},
      {"finite", &AgentStats::finite}};
  return fields;
}

bool all_finite(const ParamMap& m) {
  for (const auto& [name, t] : m) {
    if (!torch::isfinite(t).all().item<bool>()) return false;
  }
  return true;
}

// All tensors of `m` (float32) as one vector, in map order, and back.
torch::Tensor flatten(const ParamMap& m) {
  std::vector<torch::Tensor> parts;
  for (const auto& [name, t] : m) parts.push_back(t.detach().to(torch::kCPU, torch::kFloat32).reshape(-1));
  return torch::cat(parts);
}

ParamMap unflatten_like(const torch::Tensor& flat, const ParamMap& like) {
  ParamMap out;
  int64_t at = 0;
  for (const auto& [name, t] : like) {
    out[name] = flat.slice(0, at, at + t.numel()).reshape(t.sizes()).to(t.device(), t.scalar_type());
    at += t.numel();
  }
  return out;
}

// g·min(1, clip/‖g‖) over all tensors; no clipping when clip <= 0.
ParamMap clip_global_norm(ParamMap g, double clip) {
  if (clip <= 0) return g;
  const double norm = global_norm(g).item<double>();
  if (norm > clip) {
    for (auto& [name, t] : g) t = t * (clip / norm);
  }
  return g;
}

double finite_or_nan(double x) {
  return std::isfinite(x) ? x : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

AgentContribution agent_meta_step(PopulationAgent& a, const ParamMap& meta_params,
                                  const MetaTrainSettings& s, const UpdateRule& rule,
                                  torch::Device device, bool lifetimes_on) {
  const int n = s.inner_steps;
  const int window = effective_window(s);
  // All rollouts come from the current parameters, before the updates.
  EpisodeStats episodes;
  std::vector<Rollout> fresh;
  for (int k = 0; k < n; ++k) {
    fresh.push_back(rollout_to_device(update_rollout(a, s, episodes), device));
  }
  const Rollout valid = rollout_to_device(
      a.actor->collect(*a.net, a.state.learner.params, episodes, 2 * s.rollout), device);
  a.experience += 2 * a.actor->env_steps_per_rollout();

  // The window: stored earlier updates, then this meta-step's.
  const AgentState start = a.history.empty() ? a.state : a.history.front().first;
  std::vector<Rollout> train;
  for (const auto& [state, rollout] : a.history) train.push_back(rollout);
  train.insert(train.end(), fresh.begin(), fresh.end());
  const bool keep_history = window > n;
  auto result = a.gradient->compute(meta_params, start, train, valid, s.checkpointing,
                                    /*record=*/keep_history, s.checkpoint_slots);
  if (keep_history) {
    std::deque<std::pair<AgentState, Rollout>> h;
    AgentState before = start;
    for (size_t k = 0; k < train.size(); ++k) {
      h.emplace_back(before, train[k]);
      const auto& rec = result.steps[k];
      before = {rec.learner.next, rec.value};
    }
    while (static_cast<int>(h.size()) > window - n) h.pop_front();
    a.history = std::move(h);
  }
  a.state = result.final_state;

  AgentContribution c;
  c.meta_grad = flatten(result.meta_grad);
  for (const auto& [name, t] : result.meta_loss) c.loss[name] = t.item<double>();
  std::vector<torch::Tensor> reward_parts;
  for (const auto& f : fresh) reward_parts.push_back(f.rewards.slice(1, 0, fresh_per_update(s)));
  const auto rewards = torch::cat(reward_parts);
  AgentStats& st = c.stats;
  if (episodes.episodes) st.avg_return = episodes.return_sum / static_cast<double>(episodes.episodes);
  st.pos_rewards = (rewards > 0).sum().item<double>();
  st.neg_rewards = (rewards < 0).sum().item<double>();
  st.return_sum = episodes.return_sum;
  st.episodes = static_cast<double>(episodes.episodes);
  st.finite = std::isfinite(c.loss.at("total")) && torch::isfinite(c.meta_grad).all().item<bool>();
  const bool diverged = !all_finite(a.state.learner.params);
  st.reset = diverged || (lifetimes_on && a.lifetime_spent());
  if (st.reset != 0) reset_agent(a, s, rule, device);
  return c;
}

PopulationContributions gather_contributions(dist::Communicator& comm,
                                             const std::vector<AgentContribution>& local) {
  std::vector<std::string> terms;  // the same on every rank
  for (const auto& [name, v] : local.front().loss) terms.push_back(name);
  const auto& fields = stat_fields();
  std::vector<torch::Tensor> grads, rows;
  for (const auto& c : local) {
    std::vector<double> row;
    for (const auto& name : terms) row.push_back(c.loss.at(name));
    for (const auto& [name, field] : fields) row.push_back(c.stats.*field);
    rows.push_back(torch::tensor(row, torch::kFloat64));
    grads.push_back(c.meta_grad);
  }
  PopulationContributions out;
  out.meta_grads = comm.all_gather(torch::stack(grads));
  const torch::Tensor all = comm.all_gather(torch::stack(rows)).contiguous();
  const auto width = static_cast<int64_t>(terms.size() + fields.size());
  const double* v = all.data_ptr<double>();
  for (int64_t i = 0; i < all.size(0); ++i, v += width) {
    std::map<std::string, double> loss;
    for (size_t k = 0; k < terms.size(); ++k) loss[terms[k]] = v[k];
    AgentStats st;
    for (size_t k = 0; k < fields.size(); ++k) st.*(fields[k].second) = v[terms.size() + k];
    out.loss.push_back(std::move(loss));
    out.stats.push_back(st);
  }
  return out;
}

RuleUpdate apply_meta_update(const PopulationContributions& c, const MetaTrainSettings& s,
                             ParamMap& meta_params, std::vector<OuterAdamState>& opt) {
  RuleUpdate u;
  std::vector<int> used;
  for (int i = 0; i < static_cast<int>(c.stats.size()); ++i) {
    if (c.stats[i].finite != 0) used.push_back(i);
  }
  u.contributing = static_cast<int>(used.size());
  if (used.empty()) {
    u.skipped = true;
    return u;
  }
  const double count = static_cast<double>(used.size());
  auto sum = torch::zeros_like(c.meta_grads[0]);
  double loss_sum = 0;
  for (const int i : used) {  // in agent order, as on every rank
    sum = sum + c.meta_grads[i];
    loss_sum += c.loss[i].at("total");
  }
  const ParamMap mean_grad = unflatten_like(sum / count, meta_params);
  u.meta_loss = loss_sum / count;
  u.grad_norm = global_norm(mean_grad).item<double>();
  ParamMap update;
  if (s.meta_optimizer_mode == "per_agent") {
    std::vector<OuterAdamState> next = opt;
    for (auto& [name, t] : meta_params) update[name] = torch::zeros_like(t);
    for (const int i : used) {
      const ParamMap g = unflatten_like(c.meta_grads[i], meta_params);
      const auto step = outer_adam_update(clip_global_norm(g, s.meta_grad_clip), next[i], s.meta_optimizer);
      for (auto& [name, t] : update) t = t + step.at(name) / count;
    }
    if (all_finite(update)) opt = std::move(next);
  } else {
    OuterAdamState next = opt[0];
    update = outer_adam_update(clip_global_norm(mean_grad, s.meta_grad_clip), next, s.meta_optimizer);
    if (all_finite(update)) opt[0] = std::move(next);
  }
  if (!all_finite(update)) {
    u.skipped = true;
    return u;
  }
  for (auto& [name, t] : meta_params) t = t + update.at(name);
  u.update_norm = global_norm(update).item<double>();
  return u;
}

MetricsRow population_metrics(const PopulationContributions& c, const RuleUpdate& u) {
  MetricsRow row;
  std::map<std::string, double> loss_sum;
  double return_sum = 0, episodes = 0;
  for (size_t i = 0; i < c.stats.size(); ++i) {
    const AgentStats& st = c.stats[i];
    if (st.finite != 0) {
      for (const auto& [name, v] : c.loss[i]) loss_sum[name] += v;
    }
    const std::string a = "agent" + std::to_string(i) + "/";
    row[a + "avg_return"] = st.avg_return;
    row[a + "pos_rewards"] = st.pos_rewards;
    row[a + "neg_rewards"] = st.neg_rewards;
    return_sum += st.return_sum;
    episodes += st.episodes;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [name, first_agents_value] : c.loss.front()) {
    const double mean = u.contributing ? loss_sum[name] / u.contributing : nan;
    row[name == "total" ? "meta_loss" : name] = finite_or_nan(mean);
  }
  row["avg_return"] = episodes > 0 ? return_sum / episodes : nan;
  row["meta_grad_norm"] = finite_or_nan(u.grad_norm);
  row["meta_update_norm"] = u.update_norm;
  row["dropped"] = static_cast<double>(c.stats.size()) - u.contributing;
  return row;
}

}  // namespace disco
