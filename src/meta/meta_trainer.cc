#include "meta/meta_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "agent/checkpoint.h"
#include "core/params_fingerprint.h"
#include "dist/consistency.h"
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
const char* kAgentsDir = "agents";

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

// A checkpoint's non-negative counters `name` (`n` of them).
std::vector<int64_t> counts(const ParamMap& in, const std::string& name, int64_t n) {
  const auto t = checkpoint_values(in, name, torch::kLong, n);
  std::vector<int64_t> out(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + n);
  for (const auto v : out) {
    if (v < 0) throw std::invalid_argument("checkpoint: '" + name + "' holds a negative count");
  }
  return out;
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
  int index = 0;  // in the population
  std::string env;
  Rng rng{0};  // this agent's lifetimes and initialisations: from (seed, index)
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

namespace {

// A stream of its own for each purpose and agent, whoever computes it.
enum Stream : uint64_t { kRuleInit = 2, kActorStream = 1'000'000, kAgentStream = 2'000'000 };

Rng stream(uint64_t seed, uint64_t id) {
  Rng root(seed);
  return root.split(id);
}

// The agents of `rank` of `ranks`: [first, last).
std::pair<int, int> agents_of(int rank, int ranks, int population) {
  const auto bound = [&](int r) {
    return static_cast<int>(static_cast<int64_t>(population) * r / ranks);
  };
  return {bound(rank), bound(rank + 1)};
}

std::string agent_file(const std::string& dir, int agent, int64_t step) {
  return (fs::path(dir) / kAgentsDir /
          ("agent" + std::to_string(agent) + "-step" + std::to_string(step) + ".npz"))
      .string();
}

// All tensors of `m` (float32) as one vector, in map order, and back.
torch::Tensor flatten(const ParamMap& m) {
  std::vector<torch::Tensor> parts;
  for (const auto& [name, t] : m) parts.push_back(t.detach().to(torch::kCPU, torch::kFloat32).reshape(-1));
  return torch::cat(parts);
}

ParamMap unflatten_like(const torch::Tensor& flat, const ParamMap& like, torch::Device device) {
  ParamMap out;
  int64_t at = 0;
  for (const auto& [name, t] : like) {
    out[name] = flat.slice(0, at, at + t.numel()).reshape(t.sizes()).to(device, t.scalar_type());
    at += t.numel();
  }
  return out;
}

// Per-agent statistics gathered with the meta-gradients: the loss terms, then these.
enum AgentStat { kAvgReturn, kPosRewards, kNegRewards, kReturnSum, kEpisodes, kReset, kNumStats };

}  // namespace

bool MetaTrainer::holds_run(const std::string& dir) {
  return fs::exists(fs::path(dir) / kSettingsFile) || fs::exists(fs::path(dir) / kCheckpointFile) ||
         fs::exists(fs::path(dir) / kMetricsFile);
}

MetaTrainer::MetaTrainer(const MetaTrainSettings& settings, const std::string& dir,
                         const std::string& disco103_weights, dist::Communicator& comm)
    : settings_(settings), dir_(dir), comm_(comm), device_(torch::kCPU) {
  validate_meta_settings(settings_);
  if (holds_run(dir_)) {
    throw std::invalid_argument("'" + dir_ + "' already holds a run (use --resume " + dir_ +
                                " to continue it, or choose another --out)");
  }
  build(disco103_weights, /*resuming=*/false);  // all that can fail, before touching dir
  comm_.barrier();  // every rank has looked at dir before rank 0 writes to it
  if (comm_.rank() == 0) {
    fs::create_directories(fs::path(dir_) / kAgentsDir);
    write_file_atomically((fs::path(dir_) / kSettingsFile).string(),
                          meta_settings_to_json(settings_).dump(2) + "\n");
    metrics_ = std::make_unique<MetricsWriter>(dir_, -1, "meta_metrics", "meta_step");
    save_rule(kInitialRuleFile);  // what the run started from, for comparisons
  }
  comm_.barrier();
}

MetaTrainer::MetaTrainer(ResumeTag, const MetaTrainSettings& settings, const std::string& dir,
                         const std::string& disco103_weights, dist::Communicator& comm)
    : settings_(settings), dir_(dir), comm_(comm), device_(torch::kCPU) {
  validate_meta_settings(settings_);
  build(disco103_weights, /*resuming=*/true);
  load_checkpoint();
  if (comm_.rank() == 0) {
    metrics_ = std::make_unique<MetricsWriter>(dir_, meta_step_, "meta_metrics", "meta_step");
  }
  check_ranks_agree();
}

std::unique_ptr<MetaTrainer> MetaTrainer::resume(const std::string& dir,
                                                 std::optional<int64_t> meta_steps,
                                                 const std::string& disco103_weights,
                                                 dist::Communicator& comm) {
  const auto settings_path = (fs::path(dir) / kSettingsFile).string();
  if (!fs::exists(fs::path(dir) / kCheckpointFile)) {
    throw std::invalid_argument("'" + dir + "' holds no checkpoint to resume from");
  }
  MetaTrainSettings s = default_meta_train_settings();
  apply_meta_settings_json(load_config_file(settings_path), s);
  if (meta_steps) s.meta_steps = static_cast<int>(*meta_steps);
  auto trainer = std::unique_ptr<MetaTrainer>(
      new MetaTrainer(ResumeTag{}, s, dir, disco103_weights, comm));
  comm.barrier();  // all have read settings.json before rank 0 rewrites it
  if (meta_steps && comm.rank() == 0) {
    write_file_atomically(settings_path, meta_settings_to_json(s).dump(2) + "\n");
  }
  return trainer;
}

MetaTrainer::~MetaTrainer() = default;

void MetaTrainer::build(const std::string& disco103_weights, bool resuming) {
  device_ = torch::Device(settings_.device);
  if (settings_.population < comm_.size()) {
    throw std::invalid_argument("population " + std::to_string(settings_.population) +
                                " is smaller than the number of ranks " +
                                std::to_string(comm_.size()) + ": give every rank an agent");
  }
  if (settings_.init == "random") {
    meta_params_ = rule_.init_meta_params(stream(settings_.seed, kRuleInit).next_u64());
  } else if (resuming) {
    // The checkpoint holds the rule: the initial file need not exist any more.
    meta_params_ = rule_.init_meta_params(0);
  } else {
    if (settings_.init == "disco103") require_disco103_weights(disco103_weights);
    meta_params_ = load_disco_meta_params(
        settings_.init == "disco103" ? disco103_weights : settings_.init, rule_.settings());
  }
  for (auto& [name, t] : meta_params_) t = t.to(device_, torch::kFloat32);
  const int n_opt = settings_.meta_optimizer_mode == "per_agent" ? settings_.population : 1;
  meta_opt_.assign(n_opt, outer_adam_init(meta_params_));

  const auto [first, last] = agents_of(comm_.rank(), comm_.size(), settings_.population);
  for (int i = first; i < last; ++i) {
    auto m = std::make_unique<Member>();
    m->index = i;
    m->env = settings_.envs[i % settings_.envs.size()];
    m->rng = stream(settings_.seed, kAgentStream + i);
    BatchedEnv env = make_batched_env(m->env, settings_.batch);
    const auto spec = env.spec();
    m->net = std::make_unique<AgentNet>(settings_.net, spec.observation_shape, spec.num_actions,
                                        rule_.flat_output_spec(spec.num_actions),
                                        rule_.model_output_spec(spec.num_actions));
    m->value_fn = std::make_unique<MetaValueFunction>(settings_.value, spec.observation_shape);
    m->gradient = std::make_unique<MetaGradient>(*m->net, rule_, settings_.agent_optimizer,
                                                 *m->value_fn, settings_.loss);
    m->actor = std::make_unique<Actor>(std::move(env),
                                       stream(settings_.seed, kActorStream + i).next_u64(),
                                       settings_.rollout, rule_.behaviour_heads(), device_);
    reset_member(*m);
    // Staggered lifetimes: agent i starts i/P of the way into its first one,
    // so that resets do not all fall on the same meta-step.
    m->experience = m->budget * static_cast<int64_t>(i) / settings_.population;
    members_.push_back(std::move(m));
  }
}

void MetaTrainer::reset_member(Member& m) {
  const uint64_t seed = m.rng.next_u64();
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
    double u = m.rng.uniform() * total;
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
  const int64_t steps_per_agent = static_cast<int64_t>(settings_.batch) * settings_.rollout * (n + 2);
  std::vector<torch::Tensor> local_grads, local_stats;
  std::vector<std::string> terms;  // meta-loss terms, by name (the same on every rank)
  for (auto& member : members_) {
    Member& m = *member;
    // All rollouts come from the current parameters, before the updates.
    EpisodeStats stats;
    std::vector<Rollout> fresh;
    for (int k = 0; k < n; ++k) {
      fresh.push_back(
          rollout_to_device(m.actor->collect(*m.net, m.state.learner.params, stats), device_));
    }
    const Rollout valid = rollout_to_device(
        m.actor->collect(*m.net, m.state.learner.params, stats, 2 * settings_.rollout), device_);
    m.experience += steps_per_agent;

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
    local_grads.push_back(flatten(result.meta_grad));

    std::vector<torch::Tensor> reward_parts;  // training rollouts, as the notebook counts
    for (const auto& f : fresh) reward_parts.push_back(f.rewards);
    const auto rewards = torch::cat(reward_parts);
    std::vector<double> row;
    terms.clear();
    for (const auto& [name, t] : result.meta_loss) {
      terms.push_back(name);
      row.push_back(t.item<double>());
    }
    std::vector<double> s(kNumStats);
    s[kAvgReturn] = stats.episodes ? stats.return_sum / stats.episodes : nan;
    s[kPosRewards] = (rewards > 0).sum().item<double>();
    s[kNegRewards] = (rewards < 0).sum().item<double>();
    s[kReturnSum] = stats.return_sum;
    s[kEpisodes] = static_cast<double>(stats.episodes);
    const bool diverged = !all_finite(m.state.learner.params);
    s[kReset] = diverged || (m.budget > 0 && m.experience >= m.budget);
    if (s[kReset] != 0) reset_member(m);
    row.insert(row.end(), s.begin(), s.end());
    local_stats.push_back(torch::tensor(row, torch::kFloat64));
  }

  // Every agent's meta-gradient and statistics on every rank, in agent order.
  const torch::Tensor grads = comm_.all_gather(torch::stack(local_grads));
  const torch::Tensor stats = comm_.all_gather(torch::stack(local_stats)).contiguous();
  const int population = settings_.population;
  const int64_t width = static_cast<int64_t>(terms.size());
  const int64_t row_size = width + kNumStats;
  const double* gathered = stats.data_ptr<double>();  // [population, row_size], CPU
  const auto stat = [&](int i, int k) { return gathered[i * row_size + width + k]; };

  MetricsRow row;
  std::map<std::string, double> loss_sum;
  double return_sum = 0;
  int64_t episodes = 0;
  for (int i = 0; i < population; ++i) {
    for (int64_t k = 0; k < width; ++k) loss_sum[terms[k]] += gathered[i * row_size + k];
    const std::string a = "agent" + std::to_string(i) + "/";
    row[a + "avg_return"] = stat(i, kAvgReturn);
    row[a + "pos_rewards"] = stat(i, kPosRewards);
    row[a + "neg_rewards"] = stat(i, kNegRewards);
    return_sum += stat(i, kReturnSum);
    episodes += static_cast<int64_t>(stat(i, kEpisodes));
    resets_ += static_cast<int64_t>(stat(i, kReset));
  }
  env_steps_ += steps_per_agent * population;

  // The meta-update: the same sums in the same order on every rank.
  auto sum = torch::zeros_like(grads[0]);
  for (int i = 0; i < population; ++i) sum = sum + grads[i];
  const ParamMap mean_grad = unflatten_like(sum / static_cast<double>(population), meta_params_, device_);
  const double grad_norm = global_norm(mean_grad).item<double>();
  const double meta_loss = loss_sum["total"] / static_cast<double>(population);
  double update_norm = 0;
  bool skip = !std::isfinite(grad_norm) || !std::isfinite(meta_loss);
  if (!skip) {
    ParamMap update;
    if (settings_.meta_optimizer_mode == "per_agent") {
      std::vector<OuterAdamState> next = meta_opt_;
      for (auto& [name, t] : meta_params_) update[name] = torch::zeros_like(t);
      for (int i = 0; i < population; ++i) {
        const ParamMap g = unflatten_like(grads[i], meta_params_, device_);
        const auto u = outer_adam_update(clip_global_norm(g, settings_.meta_grad_clip), next[i],
                                         settings_.meta_optimizer);
        for (auto& [name, t] : update) t = t + u.at(name) / static_cast<double>(population);
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
  check_ranks_agree();

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
  for (const auto& [name, total] : loss_sum) {
    row[name == "total" ? "meta_loss" : name] = finite_or_nan(total / population);
  }
  row["meta_grad_norm"] = finite_or_nan(grad_norm);
  row["meta_update_norm"] = update_norm;
  row["resets"] = static_cast<double>(resets_);
  row["skipped"] = static_cast<double>(skipped_);
  elapsed_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.elapsed_s = elapsed_s_;
  if (metrics_ && (meta_step_ % settings_.log_every == 0 || meta_step_ == settings_.meta_steps)) {
    row["elapsed_s"] = elapsed_s_;
    metrics_->write(row, {"meta_step", "env_steps", "elapsed_s", "avg_return", "meta_loss",
                          "meta_grad_norm", "meta_update_norm", "resets", "skipped"});
    p.logged = true;
    p.row = row;
  }
  return p;
}

void MetaTrainer::check_ranks_agree() const {
  if (comm_.size() == 1) return;
  ParamMap all = meta_params_;
  for (size_t i = 0; i < meta_opt_.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    put_all(all, p + "mu/", meta_opt_[i].mu);
    put_all(all, p + "nu/", meta_opt_[i].nu);
  }
  dist::check_same_on_all_ranks(comm_, params_fingerprint(all),
                                "the rule after meta-step " + std::to_string(meta_step_));
}

void MetaTrainer::run(const std::function<void(const MetaProgress&)>& on_progress,
                      int64_t stop_after) {
  int64_t done = 0;
  while (meta_step_ < settings_.meta_steps) {
    const MetaProgress p = meta_update();
    if (on_progress) on_progress(p);
    ++done;
    if (stop_after > 0 && done >= stop_after) return;  // as if killed: no final checkpoint
    const bool stopping = stop_requested_;
    if (meta_step_ % settings_.rule_every == 0 || meta_step_ == settings_.meta_steps || stopping) {
      save_rule();
    }
    if (meta_step_ % settings_.checkpoint_every == 0 || meta_step_ == settings_.meta_steps ||
        stopping) {
      save_checkpoint();
    }
    if (stopping) break;
  }
  stop_requested_ = false;
}

void MetaTrainer::save_rule(const char* file) const {
  if (comm_.rank() != 0) return;
  ParamMap out;
  for (const auto& [name, t] : meta_params_) out[name] = t.detach().to(torch::kCPU);
  save_tensors((fs::path(dir_) / (file ? file : kRuleFile)).string(), out);
}

void MetaTrainer::save_checkpoint() const {
  // 1. Every rank writes its agents (each file atomically).
  std::string error;
  try {
    for (const auto& member : members_) {
      const Member& m = *member;
      ParamMap ckpt;
      put_agent_state(ckpt, "state/", m.state);
      ckpt["actor"] = pack_bytes(m.actor->save_state());
      ckpt["rng"] = pack_rng(m.rng);
      ckpt["lifetime"] =
          torch::tensor({m.budget, m.experience, static_cast<int64_t>(m.history.size())});
      ckpt["agent"] = torch::tensor({static_cast<int64_t>(m.index), meta_step_});
      for (size_t k = 0; k < m.history.size(); ++k) {
        const std::string h = "history" + std::to_string(k) + "/";
        put_agent_state(ckpt, h + "state/", m.history[k].first);
        put_rollout(ckpt, h + "rollout/", m.history[k].second);
      }
      for (auto& [name, t] : ckpt) t = t.detach().to(torch::kCPU);
      save_tensors(agent_file(dir_, m.index, meta_step_), ckpt);
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  // 2. Only when all have, rank 0 writes the manifest that makes them current.
  const auto failed = comm_.all_gather(torch::tensor({error.empty() ? int64_t{0} : int64_t{1}}));
  if (!error.empty()) throw std::runtime_error(error);
  for (int r = 0; r < comm_.size(); ++r) {
    if (failed[r].item<int64_t>() != 0) {
      throw std::runtime_error("rank " + std::to_string(r) + " could not write its agents' checkpoint");
    }
  }
  auto manifest_written = torch::tensor({int64_t{1}});
  if (comm_.rank() == 0) {
    try {
      ParamMap ckpt;
      for (const auto& [name, t] : meta_params_) ckpt["rule/" + name] = t;
      for (size_t i = 0; i < meta_opt_.size(); ++i) {
        const std::string p = "meta_opt" + std::to_string(i) + "/";
        ckpt[p + "count"] = torch::tensor(meta_opt_[i].count);
        put_all(ckpt, p + "mu/", meta_opt_[i].mu);
        put_all(ckpt, p + "nu/", meta_opt_[i].nu);
      }
      ckpt["trainer/counters"] = torch::tensor({meta_step_, env_steps_, resets_, skipped_});
      ckpt["trainer/population"] = torch::tensor({static_cast<int64_t>(settings_.population)});
      ckpt["trainer/elapsed_s"] = torch::tensor(elapsed_s_, torch::kFloat64);
      for (auto& [name, t] : ckpt) t = t.detach().to(torch::kCPU);
      save_tensors((fs::path(dir_) / kCheckpointFile).string(), ckpt);
    } catch (...) {
      manifest_written.fill_(0);
      comm_.broadcast(manifest_written, 0);
      throw;
    }
  }
  comm_.broadcast(manifest_written, 0);
  if (manifest_written.item<int64_t>() == 0) {
    throw std::runtime_error("rank 0 could not write the checkpoint's manifest");
  }
  // 3. The agent files of earlier checkpoints are no longer needed.
  if (comm_.rank() == 0) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / kAgentsDir, ec)) {
      const std::string name = entry.path().filename().string();
      const auto at = name.rfind("-step");
      if (at == std::string::npos || name.size() < 4 || name.substr(name.size() - 4) != ".npz") continue;
      const std::string digits = name.substr(at + 5, name.size() - 4 - at - 5);
      if (digits.empty() || digits.size() > 18 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        continue;  // not a file of ours
      }
      if (std::stoll(digits) < meta_step_) fs::remove(entry.path(), ec);
    }
  }
}

void MetaTrainer::load_checkpoint() {
  const ParamMap ckpt = load_tensors((fs::path(dir_) / kCheckpointFile).string());
  if (ckpt.count("agent0/actor")) {
    throw std::invalid_argument("'" + dir_ + "' was checkpointed by an older disco (all agents in "
                                "checkpoint.npz, one shared generator); resume it with that version");
  }
  meta_params_ = load_like(ckpt, "rule/", meta_params_, device_);
  for (size_t i = 0; i < meta_opt_.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    meta_opt_[i].count = param(ckpt, p + "count").item<int64_t>();
    meta_opt_[i].mu = load_like(ckpt, p + "mu/", meta_params_, device_);
    meta_opt_[i].nu = load_like(ckpt, p + "nu/", meta_params_, device_);
  }
  const auto c = counts(ckpt, "trainer/counters", 4);
  meta_step_ = c[0];
  env_steps_ = c[1];
  resets_ = c[2];
  skipped_ = c[3];
  if (counts(ckpt, "trainer/population", 1)[0] != settings_.population) {
    throw std::invalid_argument("checkpoint: its population differs from settings.json's");
  }
  elapsed_s_ = param(ckpt, "trainer/elapsed_s").item<double>();
  for (auto& member : members_) {
    Member& m = *member;
    const std::string file = agent_file(dir_, m.index, meta_step_);
    if (!fs::exists(file)) {
      throw std::invalid_argument("checkpoint of meta-step " + std::to_string(meta_step_) +
                                  " lacks agent " + std::to_string(m.index) + "'s state (" + file + ")");
    }
    const ParamMap a = load_tensors(file);
    const auto id = counts(a, "agent", 2);
    if (id[0] != m.index || id[1] != meta_step_) {
      throw std::invalid_argument(file + " holds agent " + std::to_string(id[0]) + " at meta-step " +
                                  std::to_string(id[1]));
    }
    m.state = get_agent_state(a, "state/", m.state, device_);
    m.actor->restore_state(unpack_bytes(param(a, "actor")));
    unpack_rng(param(a, "rng"), m.rng);
    const auto life = counts(a, "lifetime", 3);
    m.budget = life[0];
    m.experience = life[1];
    m.history.clear();
    for (int64_t k = 0; k < life[2]; ++k) {
      const std::string h = "history" + std::to_string(k) + "/";
      m.history.emplace_back(get_agent_state(a, h + "state/", m.state, device_),
                             get_rollout(a, h + "rollout/", device_));
    }
  }
}

}  // namespace disco
