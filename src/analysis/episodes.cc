#include "analysis/episodes.h"

#include <torch/torch.h>

#include <stdexcept>

#include "agent/actor.h"
#include "core/rng.h"
#include "envs/registry.h"

namespace disco {

torch::Tensor RecordedEpisodes::mask() const {
  const int64_t l = actions.size(0);
  auto m = torch::zeros({l, episodes()});
  for (int64_t e = 0; e < episodes(); ++e) m.index_put_({torch::indexing::Slice(0, lengths[e]), e}, 1.0);
  return m;
}

RecordedEpisodes record_episodes(const AgentNet& net, const ParamMap& params, const std::string& env_name,
                                 int episodes, uint64_t seed, int max_steps) {
  if (episodes < 1) throw std::invalid_argument("episodes must be positive, got " + std::to_string(episodes));
  if (max_steps < 1) throw std::invalid_argument("max_steps must be positive, got " + std::to_string(max_steps));
  torch::NoGradGuard no_grad;
  BatchedEnv env = make_batched_env(env_name, episodes);
  env.reset(seed);
  Rng rng(seed ^ 0x5EEDA11A5EEDull);
  const auto& shape = env.spec().observation_shape;
  std::vector<int64_t> obs_shape = {episodes};
  obs_shape.insert(obs_shape.end(), shape.begin(), shape.end());

  std::vector<torch::Tensor> obs_rows, action_rows, reward_rows;
  std::map<std::string, std::vector<torch::Tensor>> out_rows;
  RecordedEpisodes r;
  r.lengths.assign(episodes, 0);
  r.ended.assign(episodes, false);
  std::vector<bool> running(episodes, true);
  for (int t = 0; t < max_steps; ++t) {
    const auto obs = torch::from_blob(const_cast<float*>(env.observations()), obs_shape).clone();
    AgentOuts outs = net.forward(params, obs);
    const auto probs = torch::softmax(outs.at("logits").to(torch::kFloat64), -1).contiguous();
    std::vector<int> actions(episodes);
    const double* p = probs.data_ptr<double>();
    const int a_count = env.spec().num_actions;
    for (int e = 0; e < episodes; ++e) actions[e] = sample_from_probs(p + e * a_count, a_count, rng);
    env.step(actions);
    auto mask_row = torch::zeros({episodes});
    for (int e = 0; e < episodes; ++e) {
      if (!running[e]) continue;
      mask_row[e] = 1.0;
      ++r.lengths[e];
      if (env.done(e)) {
        running[e] = false;
        r.ended[e] = true;
      }
    }
    const auto keep = mask_row;
    auto pad = [&](const torch::Tensor& x) {
      auto m = keep;
      while (m.dim() < x.dim()) m = m.unsqueeze(-1);
      return x * m.to(x.scalar_type());
    };
    obs_rows.push_back(pad(obs));
    action_rows.push_back(pad(torch::tensor(std::vector<int64_t>(actions.begin(), actions.end()))));
    reward_rows.push_back(pad(torch::from_blob(const_cast<float*>(env.rewards()), {episodes}).clone()));
    for (const auto& [head, x] : outs) out_rows[head].push_back(pad(x));
    bool any = false;
    for (bool b : running) any = any || b;
    if (!any) break;
  }
  r.observations = torch::stack(obs_rows);
  r.actions = torch::stack(action_rows);
  r.rewards = torch::stack(reward_rows);
  for (auto& [head, rows] : out_rows) r.outs[head] = torch::stack(rows);
  return r;
}

}  // namespace disco
