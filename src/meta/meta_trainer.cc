#include "meta/meta_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "agent/checkpoint.h"
#include "envs/registry.h"
#include "io/atomic_file.h"
#include "io/config.h"
#include "io/npz_tensors.h"
#include "rules/rule_factory.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

const char* kSettingsFile = "settings.json";
const char* kCheckpointFile = "checkpoint.npz";
const char* kMetricsFile = "meta_metrics.csv";
const char* kRuleFile = "rule.npz";
const char* kInitialRuleFile = "initial_rule.npz";

// Entries of `in` under `prefix`, the prefix removed.
ParamMap group(const ParamMap& in, const std::string& prefix) {
  ParamMap out;
  for (const auto& [name, t] : in) {
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = t;
  }
  return out;
}

void put_all(ParamMap& out, const std::string& prefix, const ParamMap& in) {
  for (const auto& [name, t] : in) out[prefix + name] = t;
}

ParamMap load_like(const ParamMap& in, const std::string& prefix, const ParamMap& like,
                   torch::Device device) {
  ParamMap out;
  for (const auto& [name, t] : like) {
    const auto& x = param(in, prefix + name);
    if (x.sizes() != t.sizes()) {
      throw std::invalid_argument("checkpoint: '" + prefix + name + "' has shape " +
                                  c10::str(x.sizes()) + ", expected " + c10::str(t.sizes()));
    }
    out[name] = x.to(device, t.scalar_type());
  }
  return out;
}

rl::EmaState get_ema(const ParamMap& in, const std::string& prefix, torch::Device device) {
  rl::EmaState e = rl::get_ema_state(in, prefix);
  for (auto* t : {&e.moment1, &e.moment2, &e.decay_product}) *t = t->to(device, torch::kFloat32);
  return e;
}

void put_opt(ParamMap& out, const std::string& prefix, const InnerAdamState& s) {
  out[prefix + "count"] = torch::tensor(s.count);
  put_all(out, prefix + "mu/", s.mu);
  put_all(out, prefix + "nu/", s.nu);
}

void put_agent_state(ParamMap& out, const std::string& prefix, const AgentState& s) {
  ParamMap learner;
  put_learner_state(learner, s.learner);
  put_all(out, prefix + "learner/", learner);
  put_all(out, prefix + "value/params/", s.value.params);
  put_opt(out, prefix + "value/opt/", s.value.opt);
  rl::put_ema_state(out, prefix + "value/adv_ema/", s.value.adv_ema);
  rl::put_ema_state(out, prefix + "value/td_ema/", s.value.td_ema);
}

AgentState get_agent_state(const ParamMap& in, const std::string& prefix, const AgentState& like,
                           torch::Device device) {
  AgentState s;
  s.learner = get_learner_state(group(in, prefix + "learner/"), like.learner, device);
  s.value.params = load_like(in, prefix + "value/params/", like.value.params, device);
  s.value.opt.count = param(in, prefix + "value/opt/count").item<int64_t>();
  s.value.opt.mu = load_like(in, prefix + "value/opt/mu/", like.value.params, device);
  s.value.opt.nu = load_like(in, prefix + "value/opt/nu/", like.value.params, device);
  s.value.adv_ema = get_ema(in, prefix + "value/adv_ema/", device);
  s.value.td_ema = get_ema(in, prefix + "value/td_ema/", device);
  return s;
}

void put_rollout(ParamMap& out, const std::string& prefix, const Rollout& r) {
  for (const auto& [name, t] : rollout_fields(r)) out[prefix + name] = t;
}

Rollout get_rollout(const ParamMap& in, const std::string& prefix, torch::Device device) {
  std::map<std::string, torch::Tensor> f;
  for (auto& [name, t] : group(in, prefix)) f[name] = t.to(device);
  return rollout_from_fields(f);
}

double finite_or_nan(double x) {
  return std::isfinite(x) ? x : std::numeric_limits<double>::quiet_NaN();
}

bool all_finite(const ParamMap& m) {
  for (const auto& [name, t] : m) {
    if (!torch::isfinite(t).all().item<bool>()) return false;
  }
  return true;
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

}  // namespace

// One agent of the population.
struct MetaTrainer::Member {
  std::string env;
  std::unique_ptr<AgentNet> net;
  std::unique_ptr<MetaValueFunction> value_fn;
  std::unique_ptr<MetaGradient> gradient;
  std::unique_ptr<Actor> actor;
  AgentState state;
  int64_t budget = 0;      // env steps of this lifetime; 0 = unlimited
  int64_t experience = 0;  // env steps spent in this lifetime
  // The last (window - inner_steps) updates: the state before each and its
  // rollout, so that a meta-gradient can reach further back than one step.
  std::deque<std::pair<AgentState, Rollout>> history;
};

bool MetaTrainer::holds_run(const std::string& dir) {
  return fs::exists(fs::path(dir) / kSettingsFile) || fs::exists(fs::path(dir) / kCheckpointFile) ||
         fs::exists(fs::path(dir) / kMetricsFile);
}

MetaTrainer::MetaTrainer(const MetaTrainSettings& settings, const std::string& dir,
                         const std::string& disco103_weights)
    : settings_(settings), dir_(dir), device_(torch::kCPU), rng_(0) {
  validate_meta_settings(settings_);
  if (holds_run(dir_)) {
    throw std::invalid_argument("'" + dir_ + "' already holds a run (use --resume " + dir_ +
                                " to continue it, or choose another --out)");
  }
  build(disco103_weights, /*resuming=*/false);  // all that can fail, before touching dir
  fs::create_directories(dir_);
  write_file_atomically((fs::path(dir_) / kSettingsFile).string(),
                        meta_settings_to_json(settings_).dump(2) + "\n");
  metrics_ = std::make_unique<MetricsWriter>(dir_, -1, "meta_metrics", "meta_step");
  save_rule(kInitialRuleFile);  // what the run started from, for comparisons
}

MetaTrainer::MetaTrainer(ResumeTag, const MetaTrainSettings& settings, const std::string& dir,
                         const std::string& disco103_weights)
    : settings_(settings), dir_(dir), device_(torch::kCPU), rng_(0) {
  validate_meta_settings(settings_);
  build(disco103_weights, /*resuming=*/true);
  load_checkpoint();
  metrics_ = std::make_unique<MetricsWriter>(dir_, meta_step_, "meta_metrics", "meta_step");
}

std::unique_ptr<MetaTrainer> MetaTrainer::resume(const std::string& dir,
                                                 std::optional<int64_t> meta_steps,
                                                 const std::string& disco103_weights) {
  const auto settings_path = (fs::path(dir) / kSettingsFile).string();
  if (!fs::exists(fs::path(dir) / kCheckpointFile)) {
    throw std::invalid_argument("'" + dir + "' holds no checkpoint to resume from");
  }
  MetaTrainSettings s = default_meta_train_settings();
  apply_meta_settings_json(load_config_file(settings_path), s);
  if (meta_steps) s.meta_steps = static_cast<int>(*meta_steps);
  auto trainer =
      std::unique_ptr<MetaTrainer>(new MetaTrainer(ResumeTag{}, s, dir, disco103_weights));
  if (meta_steps) {
    write_file_atomically(settings_path, meta_settings_to_json(s).dump(2) + "\n");
  }
  return trainer;
}

MetaTrainer::~MetaTrainer() = default;

void MetaTrainer::build(const std::string& disco103_weights, bool resuming) {
  device_ = torch::Device(settings_.device);
  Rng root(settings_.seed);
  rng_ = root.split(1);
  if (settings_.init == "random") {
    meta_params_ = rule_.init_meta_params(root.split(2).next_u64());
  } else if (resuming) {
    // The checkpoint holds the rule: the initial file need not exist any more,
    // only the shapes matter (and `root` must advance as in a fresh run).
    meta_params_ = rule_.init_meta_params(0);
  } else {
    if (settings_.init == "disco103") require_disco103_weights(disco103_weights);
    meta_params_ = load_disco_meta_params(
        settings_.init == "disco103" ? disco103_weights : settings_.init, rule_.settings());
  }
  for (auto& [name, t] : meta_params_) t = t.to(device_, torch::kFloat32);
  const int n_opt = settings_.meta_optimizer_mode == "per_agent" ? settings_.population : 1;
  meta_opt_.assign(n_opt, outer_adam_init(meta_params_));

  for (int i = 0; i < settings_.population; ++i) {
    auto m = std::make_unique<Member>();
    m->env = settings_.envs[i % settings_.envs.size()];
    BatchedEnv env = make_batched_env(m->env, settings_.batch);
    const auto spec = env.spec();
    m->net = std::make_unique<AgentNet>(settings_.net, spec.observation_shape, spec.num_actions,
                                        rule_.flat_output_spec(spec.num_actions),
                                        rule_.model_output_spec(spec.num_actions));
    m->value_fn = std::make_unique<MetaValueFunction>(settings_.value, spec.observation_shape);
    m->gradient = std::make_unique<MetaGradient>(*m->net, rule_, settings_.agent_optimizer,
                                                 *m->value_fn, settings_.loss);
    m->actor = std::make_unique<Actor>(std::move(env), root.split(100 + i).next_u64(),
                                       settings_.rollout, rule_.behaviour_heads(), device_);
    members_.push_back(std::move(m));
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = *members_[i];
    reset_member(m);
    // Staggered lifetimes: agent i starts i/P of the way into its first one,
    // so that resets do not all fall on the same meta-step.
    m.experience = m.budget * static_cast<int64_t>(i) / settings_.population;
  }
}

void MetaTrainer::reset_member(Member& m) {
  const uint64_t seed = rng_.next_u64();
  const InnerAdam adam(settings_.agent_optimizer);
  m.state.learner = init_learner_state(*m.net, rule_, adam, seed, device_);
  m.state.value = m.value_fn->init(seed ^ 0x5bd1e995u, device_);
  m.history.clear();
  m.experience = 0;
  m.budget = 0;
  const auto& budgets = settings_.lifetimes;
  if (!budgets.empty()) {  // P(budget) ∝ 1/budget
    double total = 0;
    for (auto b : budgets) total += 1.0 / static_cast<double>(b);
    double u = rng_.uniform() * total;
    m.budget = budgets.back();
    for (auto b : budgets) {
      u -= 1.0 / static_cast<double>(b);
      if (u < 0) {
        m.budget = b;
        break;
      }
    }
  }
}

MetaProgress MetaTrainer::meta_update() {
  const auto start = std::chrono::steady_clock::now();
  const int n = settings_.inner_steps;
  const int window = effective_window(settings_);
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  MetricsRow row;
  std::vector<ParamMap> grads;
  std::map<std::string, double> loss_sum;
  double return_sum = 0;
  int64_t episodes = 0;
  int64_t resets = 0;
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = *members_[i];
    // All rollouts come from the current parameters, before the updates.
    EpisodeStats stats;
    std::vector<Rollout> fresh;
    for (int k = 0; k < n; ++k) {
      fresh.push_back(
          rollout_to_device(m.actor->collect(*m.net, m.state.learner.params, stats), device_));
    }
    const Rollout valid = rollout_to_device(
        m.actor->collect(*m.net, m.state.learner.params, stats, 2 * settings_.rollout), device_);
    const int64_t steps = static_cast<int64_t>(settings_.batch) * settings_.rollout * (n + 2);
    env_steps_ += steps;
    m.experience += steps;

    // The window: stored earlier updates, then this meta-step's.
    AgentState start = m.history.empty() ? m.state : m.history.front().first;
    std::vector<Rollout> train;
    for (const auto& [state, rollout] : m.history) train.push_back(rollout);
    train.insert(train.end(), fresh.begin(), fresh.end());
    const bool keep_history = window > n;
    auto result = m.gradient->compute(meta_params_, start, train, valid, settings_.checkpointing,
                                      /*record=*/keep_history, settings_.checkpoint_slots);
    if (keep_history) {
      std::deque<std::pair<AgentState, Rollout>> h;
      AgentState before = start;
      for (size_t k = 0; k < train.size(); ++k) {
        h.emplace_back(before, train[k]);
        const auto& rec = result.steps[k];
        before = {rec.learner.next, rec.value};
      }
      while (static_cast<int>(h.size()) > window - n) h.pop_front();
      m.history = std::move(h);
    }
    m.state = result.final_state;
    grads.push_back(result.meta_grad);
    for (const auto& [name, t] : result.meta_loss) loss_sum[name] += t.item<double>();

    std::vector<torch::Tensor> reward_parts;  // training rollouts, as the notebook counts
    for (const auto& f : fresh) reward_parts.push_back(f.rewards);
    const auto rewards = torch::cat(reward_parts);
    const std::string a = "agent" + std::to_string(i) + "/";
    row[a + "avg_return"] = stats.episodes ? stats.return_sum / stats.episodes : nan;
    row[a + "pos_rewards"] = (rewards > 0).sum().item<double>();
    row[a + "neg_rewards"] = (rewards < 0).sum().item<double>();
    return_sum += stats.return_sum;
    episodes += stats.episodes;

    const bool diverged = !all_finite(m.state.learner.params);
    if (diverged || (m.budget > 0 && m.experience >= m.budget)) {
      reset_member(m);
      ++resets;
    }
  }
  resets_ += resets;

  // The meta-update.
  ParamMap mean_grad;
  for (const auto& [name, t] : meta_params_) {
    auto sum = torch::zeros_like(t);
    for (const auto& g : grads) sum = sum + g.at(name);
    mean_grad[name] = sum / static_cast<double>(grads.size());
  }
  const double grad_norm = global_norm(mean_grad).item<double>();
  const double meta_loss = loss_sum["total"] / static_cast<double>(members_.size());
  double update_norm = 0;
  bool skip = !std::isfinite(grad_norm) || !std::isfinite(meta_loss);
  if (!skip) {
    ParamMap update;
    if (settings_.meta_optimizer_mode == "per_agent") {
      std::vector<OuterAdamState> next = meta_opt_;
      for (auto& [name, t] : meta_params_) update[name] = torch::zeros_like(t);
      for (size_t i = 0; i < grads.size(); ++i) {
        const auto u = outer_adam_update(clip_global_norm(grads[i], settings_.meta_grad_clip),
                                         next[i], settings_.meta_optimizer);
        for (auto& [name, t] : update) t = t + u.at(name) / static_cast<double>(grads.size());
      }
      if (all_finite(update)) meta_opt_ = std::move(next);
    } else {
      OuterAdamState next = meta_opt_[0];
      update = outer_adam_update(clip_global_norm(mean_grad, settings_.meta_grad_clip), next,
                                 settings_.meta_optimizer);
      if (all_finite(update)) meta_opt_[0] = std::move(next);
    }
    if (all_finite(update)) {
      for (auto& [name, t] : meta_params_) t = t + update.at(name);
      update_norm = global_norm(update).item<double>();
    } else {
      skip = true;
    }
  }
  if (skip) ++skipped_;
  ++meta_step_;

  MetaProgress p;
  p.meta_step = meta_step_;
  p.total_steps = settings_.meta_steps;
  p.env_steps = env_steps_;
  p.meta_loss = meta_loss;
  p.avg_return = episodes ? return_sum / episodes : nan;
  p.resets = resets_;
  p.skipped = skipped_;
  row["meta_step"] = static_cast<double>(meta_step_);
  row["env_steps"] = static_cast<double>(env_steps_);
  row["avg_return"] = p.avg_return;
  for (const auto& [name, sum] : loss_sum) {
    row[name == "total" ? "meta_loss" : name] = finite_or_nan(sum / members_.size());
  }
  row["meta_grad_norm"] = finite_or_nan(grad_norm);
  row["meta_update_norm"] = update_norm;
  row["resets"] = static_cast<double>(resets_);
  row["skipped"] = static_cast<double>(skipped_);
  elapsed_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.elapsed_s = elapsed_s_;
  if (meta_step_ % settings_.log_every == 0 || meta_step_ == settings_.meta_steps) {
    row["elapsed_s"] = elapsed_s_;
    metrics_->write(row, {"meta_step", "env_steps", "elapsed_s", "avg_return", "meta_loss",
                          "meta_grad_norm", "meta_update_norm", "resets", "skipped"});
  }
  return p;
}

void MetaTrainer::run(const std::function<void(const MetaProgress&)>& on_progress,
                      int64_t stop_after) {
  int64_t done = 0;
  while (meta_step_ < settings_.meta_steps) {
    const MetaProgress p = meta_update();
    if (on_progress) on_progress(p);
    ++done;
    if (stop_after > 0 && done >= stop_after) return;  // as if killed: no final checkpoint
    if (meta_step_ % settings_.rule_every == 0 || meta_step_ == settings_.meta_steps) save_rule();
    if (meta_step_ % settings_.checkpoint_every == 0 || meta_step_ == settings_.meta_steps) {
      save_checkpoint();
    }
  }
}

void MetaTrainer::save_rule(const char* file) const {
  ParamMap out;
  for (const auto& [name, t] : meta_params_) out[name] = t.detach().to(torch::kCPU);
  save_tensors((fs::path(dir_) / (file ? file : kRuleFile)).string(), out);
}

void MetaTrainer::save_checkpoint() const {
  ParamMap ckpt;
  for (const auto& [name, t] : meta_params_) ckpt["rule/" + name] = t;
  for (size_t i = 0; i < meta_opt_.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    ckpt[p + "count"] = torch::tensor(meta_opt_[i].count);
    put_all(ckpt, p + "mu/", meta_opt_[i].mu);
    put_all(ckpt, p + "nu/", meta_opt_[i].nu);
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member& m = *members_[i];
    const std::string p = "agent" + std::to_string(i) + "/";
    put_agent_state(ckpt, p + "state/", m.state);
    ckpt[p + "actor"] = pack_bytes(m.actor->save_state());
    ckpt[p + "lifetime"] =
        torch::tensor({m.budget, m.experience, static_cast<int64_t>(m.history.size())});
    for (size_t k = 0; k < m.history.size(); ++k) {
      const std::string h = p + "history" + std::to_string(k) + "/";
      put_agent_state(ckpt, h + "state/", m.history[k].first);
      put_rollout(ckpt, h + "rollout/", m.history[k].second);
    }
  }
  ckpt["trainer/rng"] = pack_rng(rng_);
  ckpt["trainer/counters"] = torch::tensor({meta_step_, env_steps_, resets_, skipped_});
  ckpt["trainer/elapsed_s"] = torch::tensor(elapsed_s_, torch::kFloat64);
  for (auto& [name, t] : ckpt) t = t.detach().to(torch::kCPU);
  save_tensors((fs::path(dir_) / kCheckpointFile).string(), ckpt);
}

void MetaTrainer::load_checkpoint() {
  const ParamMap ckpt = load_tensors((fs::path(dir_) / kCheckpointFile).string());
  meta_params_ = load_like(ckpt, "rule/", meta_params_, device_);
  for (size_t i = 0; i < meta_opt_.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    meta_opt_[i].count = param(ckpt, p + "count").item<int64_t>();
    meta_opt_[i].mu = load_like(ckpt, p + "mu/", meta_params_, device_);
    meta_opt_[i].nu = load_like(ckpt, p + "nu/", meta_params_, device_);
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = *members_[i];
    const std::string p = "agent" + std::to_string(i) + "/";
    m.state = get_agent_state(ckpt, p + "state/", m.state, device_);
    m.actor->restore_state(unpack_bytes(param(ckpt, p + "actor")));
    const auto life = param(ckpt, p + "lifetime").to(torch::kCPU).contiguous();
    if (life.numel() != 3) throw std::invalid_argument("checkpoint: malformed '" + p + "lifetime'");
    m.budget = life[0].item<int64_t>();
    m.experience = life[1].item<int64_t>();
    m.history.clear();
    for (int64_t k = 0; k < life[2].item<int64_t>(); ++k) {
      const std::string h = p + "history" + std::to_string(k) + "/";
      m.history.emplace_back(get_agent_state(ckpt, h + "state/", m.state, device_),
                             get_rollout(ckpt, h + "rollout/", device_));
    }
  }
  unpack_rng(param(ckpt, "trainer/rng"), rng_);
  const auto c = param(ckpt, "trainer/counters").to(torch::kCPU).contiguous();
  if (c.numel() != 4) throw std::invalid_argument("checkpoint: malformed 'trainer/counters'");
  meta_step_ = c[0].item<int64_t>();
  env_steps_ = c[1].item<int64_t>();
  resets_ = c[2].item<int64_t>();
  skipped_ = c[3].item<int64_t>();
  elapsed_s_ = param(ckpt, "trainer/elapsed_s").item<double>();
}

}  // namespace disco
