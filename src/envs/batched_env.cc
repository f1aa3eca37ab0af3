#include "envs/batched_env.h"

#include <stdexcept>
#include <string>

namespace disco {

BatchedEnv::BatchedEnv(std::vector<std::unique_ptr<Environment>> envs) : envs_(std::move(envs)) {
  if (envs_.empty()) throw std::invalid_argument("a batch needs at least one environment");
  const EnvSpec& s = envs_.front()->spec();
  obs_size_ = s.observation_size();
  num_actions_ = s.num_actions;
  max_steps_ = s.max_episode_steps;
  const size_t b = envs_.size();
  rngs_.resize(b);
  obs_.assign(b * obs_size_, 0.f);
  final_obs_.assign(b * obs_size_, 0.f);
  rewards_.assign(b, 0.f);
  terminals_.assign(b, 0);
  truncations_.assign(b, 0);
  episode_length_.assign(b, 0);
  episode_return_.assign(b, 0.f);
  finished_return_.assign(b, 0.f);
  finished_length_.assign(b, 0);
  achievement_names_ = envs_.front()->achievement_names();
  if (achievement_names_.size() > 64) {
    throw std::invalid_argument(s.name + " names " + std::to_string(achievement_names_.size()) +
                                " achievements; at most 64 fit the API");
  }
  finished_achievements_.assign(b, 0);
}

void BatchedEnv::reset(uint64_t seed) {
  Rng root(seed);
  for (int i = 0; i < batch_size(); ++i) {
    rngs_[i] = root.split(static_cast<uint64_t>(i));
    envs_[i]->reset(rngs_[i]);
    envs_[i]->observe(obs_.data() + static_cast<size_t>(i) * obs_size_);
    rewards_[i] = 0.f;
    terminals_[i] = truncations_[i] = 0;
    episode_length_[i] = 0;
    episode_return_[i] = 0.f;
    finished_return_[i] = 0.f;
    finished_length_[i] = 0;
    finished_achievements_[i] = 0;
  }
}

void BatchedEnv::step(const std::vector<int>& actions) {
  if (static_cast<int>(actions.size()) != batch_size()) {
    throw std::invalid_argument("step: got " + std::to_string(actions.size()) +
                                " actions for a batch of " + std::to_string(batch_size()));
  }
  step(actions.data());
}

void BatchedEnv::step(const int* actions) {
  for (int i = 0; i < batch_size(); ++i) {
    if (actions[i] < 0 || actions[i] >= num_actions_) {
      throw std::invalid_argument("step: action " + std::to_string(actions[i]) + " in slot " +
                                  std::to_string(i) + " is outside [0, " +
                                  std::to_string(num_actions_) + ")");
    }
  }
  for (int i = 0; i < batch_size(); ++i) {
    Environment& env = *envs_[i];
    const StepOutcome out = env.step(actions[i], rngs_[i]);
    const int length = ++episode_length_[i];
    episode_return_[i] += out.reward;
    const bool timed_out = max_steps_ > 0 && length >= max_steps_;
    rewards_[i] = out.reward;
    terminals_[i] = out.terminal;
    truncations_[i] = !out.terminal && (out.truncated || timed_out);
    if (truncations_[i]) env.observe(final_obs_.data() + static_cast<size_t>(i) * obs_size_);
    if (terminals_[i] || truncations_[i]) {
      finished_return_[i] = episode_return_[i];
      finished_length_[i] = length;
      finished_achievements_[i] = env.unlocked_achievements();
      episode_return_[i] = 0.f;
      episode_length_[i] = 0;
      env.reset(rngs_[i]);
    }
    env.observe(obs_.data() + static_cast<size_t>(i) * obs_size_);
  }
}

std::vector<uint8_t> BatchedEnv::save_state() const {
  StateWriter out;
  const std::string& name = spec().name;
  out.put_vector(std::vector<char>(name.begin(), name.end()));
  out.put<int32_t>(batch_size());
  for (int i = 0; i < batch_size(); ++i) {
    out.put_rng(rngs_[i]);
    envs_[i]->save(out);
  }
  out.put_vector(obs_);
  out.put_vector(rewards_);
  out.put_vector(terminals_);
  out.put_vector(truncations_);
  out.put_vector(episode_length_);
  out.put_vector(episode_return_);
  out.put_vector(finished_return_);
  out.put_vector(finished_length_);
  if (!achievement_names_.empty()) out.put_vector(finished_achievements_);
  return out.take();
}

void BatchedEnv::restore_state(const std::vector<uint8_t>& bytes) {
  // All or nothing: a state refused half-way leaves the batch as it was.
  const std::vector<uint8_t> before = save_state();
  try {
    read_state(bytes);
  } catch (...) {
    read_state(before);
    throw;
  }
}

void BatchedEnv::read_state(const std::vector<uint8_t>& bytes) {
  StateReader in(bytes);
  const auto name_chars = in.get_vector<char>();
  const std::string name(name_chars.begin(), name_chars.end());
  if (name != spec().name) {
    throw std::invalid_argument("saved environment state is for '" + name + "', not '" +
                                spec().name + "'");
  }
  const auto b = in.get<int32_t>();
  if (b != batch_size()) {
    throw std::invalid_argument("saved environment state has batch " + std::to_string(b) +
                                ", this batch has " + std::to_string(batch_size()));
  }
  for (int i = 0; i < batch_size(); ++i) {
    in.get_rng(rngs_[i]);
    envs_[i]->load(in);
  }
  auto read_same_size = [&](auto& vec, const char* what) {
    auto v = in.template get_vector<typename std::decay_t<decltype(vec)>::value_type>();
    if (v.size() != vec.size()) {
      throw std::invalid_argument(std::string("saved environment state: ") + what +
                                  " has the wrong size");
    }
    std::copy(v.begin(), v.end(), vec.begin());  // buffers keep their addresses
  };
  read_same_size(obs_, "observations");
  read_same_size(rewards_, "rewards");
  read_same_size(terminals_, "terminals");
  read_same_size(truncations_, "truncations");
  read_same_size(episode_length_, "episode lengths");
  read_same_size(episode_return_, "episode returns");
  read_same_size(finished_return_, "finished returns");
  read_same_size(finished_length_, "finished lengths");
  if (!achievement_names_.empty()) read_same_size(finished_achievements_, "finished achievements");
  in.expect_end();
}

}  // namespace disco
