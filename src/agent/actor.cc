#include "agent/actor.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/state_io.h"
#include "envs/achievements.h"

namespace disco {

Rollout rollout_to_device(const Rollout& r, torch::Device device) {
  return map_rollout(r, [device](const torch::Tensor& t) { return t.to(device); });
}

Actor::Actor(BatchedEnv env, uint64_t seed, int rollout_length, std::vector<std::string> heads,
             torch::Device device)
    : env_(std::move(env)),
      rng_(Rng(seed).split(0)),
      rollout_length_(rollout_length),
      heads_(std::move(heads)),
      device_(device),
      reward_(env_.batch_size(), 0.f),
      discount_(env_.batch_size(), 1.f),
      actions_(env_.batch_size(), 0) {
  // The environments' generators derive from another split of the seed, so
  // no action draw repeats a number that seeded an environment.
  env_.reset(Rng(seed).split(1).next_u64());
  if (env_.can_truncate()) {
    truncated_.assign(env_.batch_size(), 0.f);
    final_obs_.assign(static_cast<size_t>(env_.batch_size()) * env_.observation_size(), 0.f);
  }
}

void EpisodeStats::add(const EpisodeStats& other) {
  episodes += other.episodes;
  return_sum += other.return_sum;
  positive += other.positive;
  if (unlocked.size() < other.unlocked.size()) unlocked.resize(other.unlocked.size(), 0);
  for (size_t k = 0; k < other.unlocked.size(); ++k) unlocked[k] += other.unlocked[k];
}

Rollout Actor::collect(const AgentNet& net, const ParamMap& params, EpisodeStats& stats,
                       int length) {
  torch::NoGradGuard no_grad;
  const int b = env_.batch_size(), t_len = length > 0 ? length : rollout_length_;
  const int a = env_.spec().num_actions;
  stats.unlocked.resize(env_.achievement_names().size(), 0);
  std::vector<int64_t> obs_shape = {t_len, b};
  for (int d : env_.spec().observation_shape) obs_shape.push_back(d);
  Rollout r;
  r.observations = torch::empty(obs_shape);
  r.actions = torch::empty({t_len, b}, torch::kLong);
  r.rewards = torch::empty({t_len, b});
  r.discounts = torch::empty({t_len, b});
  const bool cuts = env_.can_truncate();
  if (cuts) {
    r.truncated = torch::empty({t_len, b});
    r.truncated_observations = torch::empty(obs_shape);
  }
  std::vector<std::vector<torch::Tensor>> outs(heads_.size());
  std::vector<int64_t> one_shape(obs_shape.begin() + 1, obs_shape.end());
  for (int t = 0; t < t_len; ++t) {
    auto obs = r.observations[t];
    obs.copy_(torch::from_blob(const_cast<float*>(env_.observations()), one_shape));
    r.rewards[t].copy_(torch::from_blob(reward_.data(), {b}));
    r.discounts[t].copy_(torch::from_blob(discount_.data(), {b}));
    if (cuts) {
      r.truncated[t].copy_(torch::from_blob(truncated_.data(), {b}));
      r.truncated_observations[t].copy_(torch::from_blob(final_obs_.data(), one_shape));
    }
    const auto out = net.forward(params, obs.to(device_), heads_);
    for (size_t h = 0; h < heads_.size(); ++h) outs[h].push_back(out.at(heads_[h]).to(torch::kCPU));
    const auto probs =
        torch::softmax(out.at("logits").to(torch::kCPU).to(torch::kFloat64), -1).contiguous();
    const double* p = probs.data_ptr<double>();
    auto* taken = r.actions.data_ptr<int64_t>() + int64_t{t} * b;
    for (int i = 0; i < b; ++i) {  // one draw per env
      const int choice = sample_from_probs(p + i * a, a, rng_);
      actions_[i] = choice;
      taken[i] = choice;
    }
    env_.step(actions_);
    for (int i = 0; i < b; ++i) {
      reward_[i] = env_.rewards()[i];
      // A time-limit cut ends the trajectory like a termination: with
      // same-step auto-reset the observation it would bootstrap from is
      // already the next episode's first, so continuing the sum across it
      // would mix two episodes. The observation it was cut on is kept for
      // the learner to bootstrap from (core/types.h).
      discount_[i] = env_.done(i) ? 0.f : 1.f;
      if (cuts) {
        const bool cut = env_.truncations()[i] != 0;
        truncated_[i] = cut ? 1.f : 0.f;
        float* row = final_obs_.data() + static_cast<size_t>(i) * env_.observation_size();
        if (cut) {
          std::copy_n(env_.final_observation(i), env_.observation_size(), row);
        } else {
          std::fill_n(row, env_.observation_size(), 0.f);
        }
      }
      if (env_.done(i)) {
        ++stats.episodes;
        stats.return_sum += env_.finished_return(i);
        stats.positive += env_.finished_return(i) > 0;
        count_unlocked(env_.finished_achievements(i), stats.unlocked);
      }
    }
  }
  for (size_t h = 0; h < heads_.size(); ++h) r.agent_outs[heads_[h]] = torch::stack(outs[h]);
  return r;
}

std::vector<uint8_t> Actor::save_state() const {
  StateWriter w;
  w.put_rng(rng_);
  w.put_vector(reward_);
  w.put_vector(discount_);
  if (env_.can_truncate()) {
    w.put_vector(truncated_);
    w.put_vector(final_obs_);
  }
  w.put_vector(env_.save_state());
  return w.take();
}

void Actor::restore_state(const std::vector<uint8_t>& bytes) {
  StateReader r(bytes);
  r.get_rng(rng_);
  reward_ = r.get_vector<float>();
  discount_ = r.get_vector<float>();
  if (env_.can_truncate()) {
    truncated_ = r.get_vector<float>();
    final_obs_ = r.get_vector<float>();
  }
  env_.restore_state(r.get_vector<uint8_t>());
  r.expect_end();
  if (static_cast<int>(reward_.size()) != env_.batch_size() ||
      static_cast<int>(discount_.size()) != env_.batch_size() ||
      (env_.can_truncate() &&
       (static_cast<int>(truncated_.size()) != env_.batch_size() ||
        final_obs_.size() != static_cast<size_t>(env_.batch_size()) * env_.observation_size()))) {
    throw std::invalid_argument("actor state is for a different number of environments");
  }
}

}  // namespace disco
