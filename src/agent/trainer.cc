#include "agent/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "agent/checkpoint.h"
#include "core/device.h"
#include "core/params_fingerprint.h"
#include "core/thread_plan.h"
#include "envs/achievements.h"
#include "envs/registry.h"
#include "io/atomic_file.h"
#include "io/config.h"
#include "io/npz_tensors.h"

namespace disco {
namespace {

namespace fs = std::filesystem;

const char* kSettingsFile = "settings.json";
const char* kCheckpointFile = "checkpoint.npz";
const char* kMetricsFile = "metrics.csv";

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> with_logits(std::vector<std::string> heads) {
  for (const auto& h : heads) {
    if (h == "logits") return heads;
  }
  heads.insert(heads.begin(), "logits");
  return heads;
}

Rollout select_trajectories(const Rollout& r, const torch::Tensor& index) {
  return map_rollout(r, [&](const torch::Tensor& t) { return t.index_select(1, index); });
}

}  // namespace

bool Trainer::holds_run(const std::string& dir) {
  return fs::exists(fs::path(dir) / kSettingsFile) || fs::exists(fs::path(dir) / kCheckpointFile) ||
         fs::exists(fs::path(dir) / kMetricsFile);
}

Trainer::Trainer(const TrainSettings& settings, const std::string& dir,
                 const std::string& disco103_weights)
    : settings_(settings),
      dir_(dir),
      device_(torch::kCPU),
      rng_(0),
      last_avg_return_(std::numeric_limits<double>::quiet_NaN()) {
  validate_settings(settings_);
  if (holds_run(dir_)) {
    throw std::invalid_argument("'" + dir_ + "' already holds a run (use --resume " + dir_ +
                                " to continue it, or choose another --out)");
  }
  build(disco103_weights);  // everything that can fail on bad settings, before touching dir
  fs::create_directories(dir_);
  write_file_atomically((fs::path(dir_) / kSettingsFile).string(),
                        settings_to_json(settings_).dump(2) + "\n");
  metrics_ = std::make_unique<MetricsWriter>(dir_);
}

Trainer::Trainer(ResumeTag, const TrainSettings& settings, const std::string& dir,
                 const std::string& disco103_weights)
    : settings_(settings),
      dir_(dir),
      device_(torch::kCPU),
      rng_(0),
      last_avg_return_(std::numeric_limits<double>::quiet_NaN()) {
  validate_settings(settings_);
  build(disco103_weights);
  load_checkpoint();
  metrics_ = std::make_unique<MetricsWriter>(dir_, learner_step_);
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& dir, std::optional<int64_t> steps,
                                         const std::string& disco103_weights) {
  const auto settings_path = (fs::path(dir) / kSettingsFile).string();
  if (!fs::exists(fs::path(dir) / kCheckpointFile)) {
    throw std::invalid_argument("'" + dir + "' holds no checkpoint to resume from");
  }
  const auto j = load_config_file(settings_path);
  TrainSettings s = default_train_settings(j.value("rule", std::string("disco103")));
  apply_settings_json(j, s, UnusedKeys::kIgnore);
  if (steps) s.steps = *steps;
  auto trainer = std::unique_ptr<Trainer>(new Trainer(ResumeTag{}, s, dir, disco103_weights));
  if (steps) {
    write_file_atomically(settings_path, settings_to_json(s).dump(2) + "\n");
  }
  return trainer;
}

Trainer::~Trainer() = default;

void Trainer::build(const std::string& disco103_weights) {
  device_ = checked_device(settings_.device);
  rule_ = make_rule(settings_.rule, settings_.rule_settings, disco103_weights);
  BatchedEnv env = make_batched_env(settings_.env, settings_.num_envs);
  const auto& spec = env.spec();
  net_ = std::make_unique<AgentNet>(settings_.net, spec.observation_shape, spec.num_actions,
                                    rule_.rule->flat_output_spec(spec.num_actions),
                                    rule_.rule->model_output_spec(spec.num_actions));
  for (auto& [name, t] : rule_.meta_params) t = t.to(device_);
  // Blocks side by side pay on CPU cores; a GPU runs one block faster.
  const int shards = device_.is_cpu() ? learner_shards() : 1;
  learner_ = std::make_unique<Learner>(*net_, *rule_.rule, rule_.meta_params, settings_.optimizer,
                                       shards);
  state_ = learner_->init(settings_.seed, device_);
  // Independent streams for the environments, the actor and the learner.
  Rng root(settings_.seed);
  const uint64_t actor_seed = root.split(1).next_u64();
  rng_ = root.split(2);
  actor_ = std::make_unique<Actor>(std::move(env), actor_seed, settings_.rollout_length,
                                   with_logits(rule_.rule->behaviour_heads()), device_);
  if (settings_.replay_capacity > 0)
    replay_ = std::make_unique<ReplayBuffer>(settings_.replay_capacity);
}

void Trainer::save_checkpoint() const {
  ParamMap ckpt;
  put_learner_state(ckpt, state_);
  if (replay_) replay_->save(ckpt, "replay/");
  ckpt["actor/state"] = pack_bytes(actor_->save_state());
  ckpt["trainer/rng"] = pack_rng(rng_);
  ckpt["trainer/counters"] =
      torch::tensor({learner_step_, env_steps_, episodes_, window_.episodes, window_.positive,
                     window_env_steps_, window_learner_steps_},
                    torch::kLong);
  ckpt["trainer/times"] = torch::tensor({elapsed_s_, window_.return_sum}, torch::kFloat64);
  if (!window_.unlocked.empty()) {
    ckpt["trainer/window_achievements"] = torch::tensor(window_.unlocked, torch::kLong);
  }
  if (!rule_.meta_params.empty()) {
    ckpt["trainer/rule_fingerprint"] = torch::tensor(
        {static_cast<int64_t>(params_fingerprint(rule_.meta_params))}, torch::kLong);
  }
  for (auto& [k, v] : ckpt) v = v.to(torch::kCPU);
  save_tensors((fs::path(dir_) / kCheckpointFile).string(), ckpt);
}

void Trainer::load_checkpoint() {
  const auto ckpt = load_tensors((fs::path(dir_) / kCheckpointFile).string());
  // The rule's weights must be those the run was trained with (checkpoints
  // from before the fingerprint have none to compare).
  if (ckpt.count("trainer/rule_fingerprint") && !rule_.meta_params.empty()) {
    const auto was = static_cast<uint64_t>(
        checkpoint_values(ckpt, "trainer/rule_fingerprint", torch::kLong, 1).item<int64_t>());
    const auto now = params_fingerprint(rule_.meta_params);
    if (was != now) {
      std::ostringstream msg;
      msg << "resume: the rule's weights (" << settings_.rule << ", fingerprint " << std::hex
          << now << ") are not those this run was trained with (fingerprint " << was << ")";
      throw std::invalid_argument(msg.str());
    }
  }
  state_ = get_learner_state(ckpt, state_, device_);
  if (replay_) replay_->load(ckpt, "replay/");
  actor_->restore_state(unpack_bytes(param(ckpt, "actor/state")));
  unpack_rng(param(ckpt, "trainer/rng"), rng_);
  const auto c = checkpoint_values(ckpt, "trainer/counters", torch::kLong, 7);
  const auto* n = c.data_ptr<int64_t>();
  for (int i = 0; i < 7; ++i) {
    // A negative step count would train (nearly) forever.
    if (n[i] < 0) throw std::invalid_argument("checkpoint: 'trainer/counters' has a negative count");
  }
  learner_step_ = n[0];
  env_steps_ = n[1];
  episodes_ = n[2];
  window_.episodes = n[3];
  window_.positive = n[4];
  window_env_steps_ = n[5];
  window_learner_steps_ = n[6];
  const auto times = checkpoint_values(ckpt, "trainer/times", torch::kFloat64, 2);
  elapsed_s_ = times.data_ptr<double>()[0];
  window_.return_sum = times.data_ptr<double>()[1];
  window_.unlocked.clear();
  const size_t achievements = actor_->env().achievement_names().size();
  if (achievements > 0 && ckpt.count("trainer/window_achievements")) {
    const auto u = checkpoint_values(ckpt, "trainer/window_achievements", torch::kLong,
                                     static_cast<int64_t>(achievements));
    window_.unlocked.assign(u.data_ptr<int64_t>(), u.data_ptr<int64_t>() + achievements);
    for (int64_t v : window_.unlocked) {
      if (v < 0) throw std::invalid_argument("checkpoint: 'trainer/window_achievements' has a negative count");
    }
  }
}

void Trainer::learn(const Rollout& batch) {
  auto logs = learner_->step(state_, rollout_to_device(batch, device_));
  for (auto& [k, v] : logs) {
    auto it = window_logs_.find(k);
    if (it == window_logs_.end()) {
      window_logs_[k] = v.to(torch::kFloat64);
    } else {
      it->second = it->second + v.to(torch::kFloat64);
    }
  }
  ++learner_step_;
  ++window_learner_steps_;
}

void Trainer::write_row(TrainProgress& p) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double window_s = std::max(1e-9, p.elapsed_s - window_start_s_);
  MetricsRow row;
  row["learner_step"] = static_cast<double>(learner_step_);
  row["env_steps"] = static_cast<double>(env_steps_);
  row["episodes"] = static_cast<double>(episodes_);
  row["elapsed_s"] = p.elapsed_s;
  row["avg_return"] = window_.episodes ? window_.return_sum / window_.episodes : nan;
  row["success_rate"] =
      window_.episodes ? static_cast<double>(window_.positive) / window_.episodes : nan;
  row["env_steps_per_s"] = window_env_steps_ / window_s;
  row["learner_steps_per_s"] = window_learner_steps_ / window_s;
  for (const auto& [k, v] : window_logs_) {
    row[k] = window_learner_steps_ ? v.item<double>() / window_learner_steps_ : nan;
  }
  // Achievements: each one's success rate over the window's episodes, and
  // the Crafter score of those rates.
  const auto& names = actor_->env().achievement_names();
  if (!names.empty()) {
    std::vector<double> rates(names.size(), nan);
    for (size_t k = 0; k < names.size(); ++k) {
      const int64_t n = k < window_.unlocked.size() ? window_.unlocked[k] : 0;
      if (window_.episodes) rates[k] = static_cast<double>(n) / window_.episodes;
      row["achievement/" + names[k]] = rates[k];
    }
    row["crafter_score"] = window_.episodes ? crafter_score(rates) : nan;
  }
  metrics_->write(
      row, {"learner_step", "env_steps", "episodes", "elapsed_s", "avg_return", "success_rate",
            "env_steps_per_s", "learner_steps_per_s", "total_loss", "entropy"});
  if (window_.episodes) last_avg_return_ = row["avg_return"];
  p.env_steps_per_s = row["env_steps_per_s"];
  p.learner_steps_per_s = row["learner_steps_per_s"];
  p.logged = true;
  p.row = row;
  window_ = {};
  window_env_steps_ = 0;
  window_learner_steps_ = 0;
  window_logs_.clear();
  window_start_s_ = p.elapsed_s;
}

void Trainer::run(const std::function<void(const TrainProgress&)>& on_progress,
                  int64_t stop_after) {
  const double start = now_s() - elapsed_s_;
  window_start_s_ = elapsed_s_;
  int64_t done_here = 0;
  int64_t last_checkpoint = learner_step_;
  const int64_t total = settings_.steps;
  auto after_step = [&]() {  // returns false to stop
    ++done_here;
    elapsed_s_ = now_s() - start;
    TrainProgress p;
    p.elapsed_s = elapsed_s_;
    if (learner_step_ % settings_.log_every == 0 || learner_step_ == total) write_row(p);
    if (learner_step_ % settings_.checkpoint_every == 0 && learner_step_ < total) {
      save_checkpoint();
      last_checkpoint = learner_step_;
    }
    p.learner_step = learner_step_;
    p.total_steps = total;
    p.env_steps = env_steps_;
    p.episodes = episodes_;
    p.elapsed_s = elapsed_s_;
    p.avg_return = last_avg_return_;
    if (on_progress) on_progress(p);
    return !(stop_after > 0 && done_here >= stop_after) && learner_step_ < total &&
           !stop_requested_;
  };
  bool going = learner_step_ < total;
  while (going) {
    EpisodeStats stats;
    const Rollout rollout = actor_->collect(*net_, state_.params, stats);
    env_steps_ += actor_->env_steps_per_rollout();
    window_env_steps_ += actor_->env_steps_per_rollout();
    episodes_ += stats.episodes;
    window_.add(stats);
    if (replay_) {
      replay_->add(rollout);
      if (replay_->size() < std::max(1, settings_.min_replay)) continue;
      for (int e = 0; e < settings_.epochs && going; ++e) {
        learn(replay_->sample(settings_.batch_size, rng_));
        going = after_step();
      }
    } else {
      const int b = settings_.num_envs, per = b / settings_.minibatches;
      std::vector<int64_t> order(b);
      for (int e = 0; e < settings_.epochs && going; ++e) {
        for (int i = 0; i < b; ++i) order[i] = i;
        for (int i = b - 1; i > 0; --i) std::swap(order[i], order[rng_.uniform_int(i + 1)]);
        for (int m = 0; m < settings_.minibatches && going; ++m) {
          const auto index = torch::tensor(
              std::vector<int64_t>(order.begin() + m * per, order.begin() + (m + 1) * per),
              torch::kLong);
          learn(settings_.minibatches == 1 ? rollout : select_trajectories(rollout, index));
          going = after_step();
        }
      }
    }
  }
  if (stop_after > 0 && done_here >= stop_after && learner_step_ < total) return;  // "killed"
  stop_requested_ = false;
  if (last_checkpoint != learner_step_ || learner_step_ == total) save_checkpoint();
}

}  // namespace disco
