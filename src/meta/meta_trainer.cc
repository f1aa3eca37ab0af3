#include "meta/meta_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "core/device.h"
#include "core/parallel_shards.h"
#include "core/params_fingerprint.h"
#include "core/thread_plan.h"
#include "dist/consistency.h"
#include "io/atomic_file.h"
#include "io/config.h"
#include "io/npz_tensors.h"
#include "meta/meta_update.h"
#include "rules/rule_factory.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

const char* kSettingsFile = "settings.json";
const char* kCheckpointFile = "checkpoint.npz";
const char* kMetricsFile = "meta_metrics.csv";
const char* kRuleFile = "rule.npz";
const char* kInitialRuleFile = "initial_rule.npz";

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
    fs::create_directories(meta_agents_dir(dir_));
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
  load_meta_checkpoint(dir_, agents_, rule_state_, counters_, settings_.population, device_);
  if (comm_.rank() == 0) {
    metrics_ = std::make_unique<MetricsWriter>(dir_, counters_.meta_step, "meta_metrics", "meta_step");
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
  device_ = checked_device(settings_.device);
  if (settings_.population < comm_.size()) {
    throw std::invalid_argument("population " + std::to_string(settings_.population) +
                                " is smaller than the number of ranks " +
                                std::to_string(comm_.size()) + ": give every rank an agent");
  }
  ParamMap& meta_params = rule_state_.meta_params;
  if (settings_.init == "random") {
    meta_params = rule_.init_meta_params(rule_init_seed(settings_.seed));
  } else if (resuming) {
    // The checkpoint holds the rule: the initial file need not exist any more.
    meta_params = rule_.init_meta_params(0);
  } else {
    if (settings_.init == "disco103") require_disco103_weights(disco103_weights);
    meta_params = load_disco_meta_params(
        settings_.init == "disco103" ? disco103_weights : settings_.init, rule_.settings());
  }
  for (auto& [name, t] : meta_params) t = t.to(device_, torch::kFloat32);
  const int n_opt = settings_.meta_optimizer_mode == "per_agent" ? settings_.population : 1;
  rule_state_.opt.assign(n_opt, outer_adam_init(meta_params));

  const auto [first, last] = agents_of(comm_.rank(), comm_.size(), settings_.population);
  for (int i = first; i < last; ++i) agents_.push_back(make_agent(settings_, rule_, i, device_));
}

MetaProgress MetaTrainer::meta_update(int threads) {
  const auto start = std::chrono::steady_clock::now();
  // 1. This process's agents side by side, each on one thread.
  MetaCounters& c = counters_;
  const bool lifetimes_on = c.meta_step >= settings_.lifetimes_start;
  if (settings_.lifetimes_start > 0 && c.meta_step == settings_.lifetimes_start) {
    for (auto& a : agents_) restagger_lifetime(*a, settings_);
  }
  std::vector<AgentContribution> local(agents_.size());
  parallel_tasks(static_cast<int>(agents_.size()), threads, [&](int k) {
    local[k] = agent_meta_step(*agents_[k], rule_state_.meta_params, settings_, rule_, device_, lifetimes_on);
  });
  // 2-3. Every agent's contribution on every rank; the same update everywhere.
  const PopulationContributions all = gather_contributions(comm_, local);
  const RuleUpdate update = apply_meta_update(all, settings_, rule_state_.meta_params, rule_state_.opt);

  ++c.meta_step;
  c.env_steps += env_steps_per_meta_step(settings_) * settings_.population;
  for (const auto& st : all.stats) c.resets += static_cast<int64_t>(st.reset);
  c.skipped += update.skipped;
  c.dropped += settings_.population - update.contributing;
  check_ranks_agree();

  // 4. Metrics.
  MetricsRow row = population_metrics(all, update);
  c.elapsed_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MetaProgress p;
  p.meta_step = c.meta_step;
  p.total_steps = settings_.meta_steps;
  p.env_steps = c.env_steps;
  p.meta_loss = update.meta_loss;
  p.avg_return = row.at("avg_return");
  p.resets = c.resets;
  p.skipped = c.skipped;
  p.dropped = c.dropped;
  p.elapsed_s = c.elapsed_s;
  row["meta_step"] = static_cast<double>(c.meta_step);
  row["env_steps"] = static_cast<double>(c.env_steps);
  row["resets"] = static_cast<double>(c.resets);
  row["skipped"] = static_cast<double>(c.skipped);
  row["elapsed_s"] = c.elapsed_s;
  if (metrics_ && (c.meta_step % settings_.log_every == 0 || c.meta_step == settings_.meta_steps)) {
    metrics_->write(row, {"meta_step", "env_steps", "elapsed_s", "avg_return", "meta_loss",
                          "meta_grad_norm", "meta_update_norm", "resets", "skipped", "dropped"});
    p.logged = true;
    p.row = row;
  }
  return p;
}

void MetaTrainer::check_ranks_agree() const {
  if (comm_.size() == 1) return;
  ParamMap all = rule_state_.meta_params;
  for (size_t i = 0; i < rule_state_.opt.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    for (const auto& [name, t] : rule_state_.opt[i].mu) all[p + "mu/" + name] = t;
    for (const auto& [name, t] : rule_state_.opt[i].nu) all[p + "nu/" + name] = t;
  }
  dist::check_same_on_all_ranks(comm_, params_fingerprint(all),
                                "the rule after meta-step " + std::to_string(counters_.meta_step));
}

void MetaTrainer::run(const std::function<void(const MetaProgress&)>& on_progress,
                      int64_t stop_after, int threads) {
  if (threads <= 0) threads = planned_threads();
  int64_t done = 0;
  const int64_t total = settings_.meta_steps;
  while (counters_.meta_step < total) {
    const MetaProgress p = meta_update(threads);
    if (on_progress) on_progress(p);
    ++done;
    if (stop_after > 0 && done >= stop_after) return;  // as if killed: no final checkpoint
    const bool stopping = stop_requested_;
    const int64_t step = counters_.meta_step;
    if (step % settings_.rule_every == 0 || step == total || stopping) save_rule();
    if (step % settings_.checkpoint_every == 0 || step == total || stopping) save_checkpoint();
    if (stopping) break;
  }
  stop_requested_ = false;
}

void MetaTrainer::save_rule(const char* file) const {
  if (comm_.rank() != 0) return;
  ParamMap out;
  for (const auto& [name, t] : rule_state_.meta_params) out[name] = t.detach().to(torch::kCPU);
  save_tensors((fs::path(dir_) / (file ? file : kRuleFile)).string(), out);
}

void MetaTrainer::save_checkpoint() const {
  save_meta_checkpoint(dir_, comm_, agents_, rule_state_, counters_, settings_.population);
}

}  // namespace disco
