// `disco meta-train`: discover an update rule by meta-gradients over a
// population of agents (meta/meta_trainer.h). Settings come from the
// notebook's defaults (meta/meta_settings.h), then a settings file
// (--config, JSON or YAML), then the command line.
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "core/thread_plan.h"
#include "dist/communicator.h"
#include "envs/registry.h"
#include "io/config.h"
#include "io/learning_curves.h"
#include "meta/meta_presets.h"
#include "meta/meta_trainer.h"
#include "rules/rule_factory.h"

namespace disco::cli {
namespace {

struct MetaTrainArgs {
  std::string envs, init, config, out, resume, device, preset;
  std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  int64_t population = 0, inner_steps = 0, rollout = 0, batch = 0, meta_steps = 0, seed = 0;
  int64_t stop_after = 0, window = 0;
  int threads = 0;
  double replay = 0;
  bool checkpointing = false;
};

std::string number(double x, int precision = 3) {
  if (!std::isfinite(x)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(precision) << x;
  return o.str();
}

class MetaProgressReport {
 public:
  MetaProgressReport() : tty_(isatty(fileno(stderr))) {}
  void operator()(const MetaProgress& p) {
    if (first_step_ < 0) {
      first_step_ = p.meta_step - 1;
      first_elapsed_ = 0;
    }
    const double rate = p.elapsed_s > first_elapsed_
                            ? (p.meta_step - first_step_) / (p.elapsed_s - first_elapsed_)
                            : 0;
    if (first_elapsed_ == 0) first_elapsed_ = p.elapsed_s - (rate > 0 ? 1 / rate : 0);
    std::ostringstream line;
    line << p.meta_step << "/" << p.total_steps << "  meta_loss " << number(p.meta_loss, 4)
         << "  avg_return " << number(p.avg_return) << "  resets " << p.resets << "  skipped "
         << p.skipped << "  " << number(p.elapsed_s, 0) << " s";
    if (tty_) {
      const int width = 24;
      const int filled =
          static_cast<int>(width * p.meta_step / std::max<int64_t>(1, p.total_steps));
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
                << line.str() << "   " << std::flush;
      if (p.meta_step >= p.total_steps) std::cerr << "\n";
    } else if (p.meta_step % 10 == 0 || p.meta_step == p.total_steps) {
      std::cout << "meta-step " << line.str() << std::endl;
    }
  }

 private:
  bool tty_;
  int64_t first_step_ = -1;
  double first_elapsed_ = 0;
};

std::string default_out(uint64_t seed) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "runs/meta-seed" + std::to_string(seed) + "-" + stamp;
}

void need_positive(CLI::App* cmd, const char* opt, int64_t value) {
  if (cmd->count(opt) && value <= 0) {
    throw UsageError(std::string(opt) + " must be positive, got " + std::to_string(value));
  }
}

MetaTrainArgs a;

void meta_train(CLI::App* cmd, dist::Communicator& comm) {
  const bool lead = comm.rank() == 0;  // the rank that prints and writes the run's files
  if (a.threads < 0) throw UsageError("--threads must be >= 0, got " + std::to_string(a.threads));
  // One LibTorch and one OpenBLAS thread per agent, agents side by side: the
  // rule does not depend on the thread count (meta/meta_trainer.h).
  use_threads(a.threads);
  for (const char* opt : {"--population", "--inner-steps", "--rollout", "--batch", "--meta-steps"}) {
    const int64_t v = std::string(opt) == "--population"    ? a.population
                      : std::string(opt) == "--inner-steps" ? a.inner_steps
                      : std::string(opt) == "--rollout"     ? a.rollout
                      : std::string(opt) == "--batch"       ? a.batch
                                                            : a.meta_steps;
    need_positive(cmd, opt, v);
  }
  if (cmd->count("--window") && (a.window < 0 || a.window > 20)) {
    throw UsageError("--window must lie in [0, 20], got " + std::to_string(a.window));
  }
  const std::string& weights = a.weights;
  std::unique_ptr<MetaTrainer> trainer;
  if (!a.resume.empty()) {
    for (const char* opt :
         {"--envs", "--population", "--inner-steps", "--rollout", "--batch", "--init", "--seed",
          "--window", "--replay", "--checkpointing", "--config", "--out", "--device", "--preset"}) {
      if (cmd->count(opt)) throw UsageError(std::string(opt) + " cannot change a resumed run");
    }
    trainer = MetaTrainer::resume(
        a.resume, cmd->count("--meta-steps") ? std::optional<int64_t>(a.meta_steps) : std::nullopt,
        weights, comm);
    if (lead) {
      std::cout << "resuming " << a.resume << " at meta-step " << trainer->meta_step() << " on "
                << comm.size() << (comm.size() == 1 ? " process" : " ranks") << std::endl;
    }
  } else {
    MetaTrainSettings s = default_meta_train_settings();
    if (!a.preset.empty()) {
      try {
        apply_meta_settings_json(meta_preset_settings(a.preset), s);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    }
    if (!a.config.empty()) apply_meta_settings_json(load_config_file(a.config), s);
    if (cmd->count("--envs")) s.envs = split_env_list(a.envs);
    if (cmd->count("--population")) s.population = static_cast<int>(a.population);
    if (cmd->count("--inner-steps")) s.inner_steps = static_cast<int>(a.inner_steps);
    if (cmd->count("--rollout")) s.rollout = static_cast<int>(a.rollout);
    if (cmd->count("--batch")) s.batch = static_cast<int>(a.batch);
    if (cmd->count("--meta-steps")) s.meta_steps = static_cast<int>(a.meta_steps);
    if (cmd->count("--init")) s.init = a.init;
    if (cmd->count("--seed")) s.seed = static_cast<uint64_t>(a.seed);
    if (cmd->count("--window")) s.window = static_cast<int>(a.window);
    if (cmd->count("--replay")) s.replay_fraction = a.replay;
    if (cmd->count("--checkpointing")) s.checkpointing = a.checkpointing;
    if (cmd->count("--device")) s.device = a.device;
    for (const auto& env : s.envs) {
      try {  // an unknown environment name is a usage error (exit 2)
        make_env(env);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    }
    if (const auto shipped = shipped_rule_path(s.init); !shipped.empty()) s.init = shipped;  // rules/NAME
    if (s.init != "random" && s.init != "disco103" &&
        !(s.init.size() > 4 && s.init.substr(s.init.size() - 4) == ".npz")) {
      throw UsageError("--init must be random, disco103 or a rule .npz, got '" + s.init + "'");
    }
    try {
      validate_meta_settings(s);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (a.out.empty() && comm.size() > 1) {  // the default name holds each rank's clock
      throw UsageError("--out is required with several ranks (they share one folder)");
    }
    const std::string out = a.out.empty() ? default_out(s.seed) : a.out;
    trainer = std::make_unique<MetaTrainer>(s, out, weights, comm);
    if (lead) {
      std::cout << "meta-training a rule (init " << s.init << ") with " << s.population
                << " agents on " << comm.size() << (comm.size() == 1 ? " process" : " ranks")
                << " for " << s.meta_steps << " meta-steps -> " << out << std::endl;
      if (!a.preset.empty()) {
        std::cout << "preset " << a.preset << ": evaluate the rule on the held-out";
        for (const auto& env : meta_preset_held_out(a.preset)) std::cout << " " << env;
        std::cout << std::endl;
      }
    }
  }
  MetaProgressReport report;
  std::function<void(const MetaProgress&)> on_progress;
  if (lead) on_progress = std::ref(report);
  trainer->run(on_progress, a.stop_after);
  if (!lead || trainer->meta_step() < trainer->settings().meta_steps) return;  // --stop-after
  const std::string dir = trainer->out_dir();
  std::cout << "rule: " << dir << "/rule.npz\nmetrics: " << dir << "/meta_metrics.csv and " << dir
            << "/meta_metrics.jsonl\n";
  try {
    CurveSettings curve;
    curve.file = "meta_metrics.csv";
    curve.x = "meta_step";
    curve.y = "agent0/avg_return";
    curve.y_label = "average return (moving average over 20 meta-steps)";
    curve.smooth = 20;
    for (int i = 1; i < trainer->settings().population; ++i) {
      curve.more_y.push_back("agent" + std::to_string(i) + "/avg_return");
    }
    plot_learning_curves({dir}, dir + "/meta_curve.png", curve);
    std::cout << "curve: " << dir << "/meta_curve.png\n";
  } catch (const std::exception& e) {
    std::cerr << "disco: warning: no curve drawn: " << e.what() << "\n";
  }
}

}  // namespace

void add_meta_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "meta-train",
      "Discover an update rule: meta-gradients through agent updates over a population.\n"
      "Defaults follow the reference's meta-training notebook: Catch 5x5, 2 agents, rollouts of\n"
      "16 time steps, 2 inner steps, 32 trajectories per agent, validation rollout of twice the\n"
      "rollout's time steps, agent MLP 512,512 + LSTM 256 + heads 256, agent lr 5e-4, meta Adam\n"
      "5e-4, 800 meta-steps, random initial rule. Writes DIR/meta_metrics.csv, .jsonl,\n"
      "settings.json, checkpoint.npz + agents/, rule.npz (loadable by `disco train --rule`) and\n"
      "meta_curve.png. Under `mpirun -np K` the agents spread over K ranks (docs/distributed.md).");
  cmd->add_option("--envs", a.envs,
                  "environments, agents take them in turn; separated by ';' or top-level commas "
                  "(default catch(rows=5,columns=5))");
  cmd->add_option("--population", a.population, "agents (default 2)");
  cmd->add_option("--inner-steps", a.inner_steps, "agent updates per meta-step (default 2)");
  cmd->add_option("--rollout", a.rollout,
                  "time steps per training rollout, T+1 (default 16, the notebook's rollout_len)");
  cmd->add_option("--batch", a.batch, "trajectories (environments) per agent (default 32)");
  cmd->add_option("--meta-steps", a.meta_steps, "meta-steps in total (default 800)");
  cmd->add_option("--init", a.init,
                  "initial rule: random | disco103 | a rule under rules/ | FILE.npz (default random)");
  cmd->add_option("--seed", a.seed, "random seed (default 0)");
  cmd->add_option(
      "--window", a.window,
      "agent updates the meta-gradient reaches back through, <= 20 (default: inner steps)");
  cmd->add_option("--replay", a.replay,
                  "fraction of each agent update drawn from the agent's replay, in [0, 1) (default 0: "
                  "on-policy; the paper: 0.9)");
  cmd->add_flag("--checkpointing", a.checkpointing,
                "recompute each inner update in the backward pass (memory of one update)");
  cmd->add_option("--preset", a.preset,
                  "a discovery recipe applied before --config and the flags: " + meta_preset_names() +
                      " (docs/meta_training.md)");
  cmd->add_option("--config", a.config, "settings file (JSON or YAML; keys as settings.json)");
  cmd->add_option("--out", a.out, "run folder (default runs/meta-seedS-TIME); must not hold a run");
  cmd->add_option("--resume", a.resume,
                  "continue the run in this folder (only --meta-steps may change)");
  cmd->add_option("--device", a.device, "torch device, e.g. cpu or cuda:0 (default cpu)");
  cmd->add_option("--weights", a.weights, "the Disco103 meta-parameters (.npz) that --init disco103 loads")
      ->capture_default_str();
  cmd->add_option("--threads", a.threads,
                  "agents run side by side on this many threads, one each (default: one per "
                  "core); the rule is the same for any count");
  cmd->add_option("--stop-after", a.stop_after,
                  "testing: stop after N meta-steps without a final checkpoint, as if killed");
  cmd->callback([cmd]() {
    dist::Communicator& comm = dist::world();
    if (comm.size() == 1) return meta_train(cmd, comm);
    // With several ranks an error on one must stop all (the others would
    // wait in the next collective): name the rank, then abort the job.
    try {
      meta_train(cmd, comm);
    } catch (const UsageError& e) {
      comm.abort("disco: usage error on rank " + std::to_string(comm.rank()) + " of " +
                     std::to_string(comm.size()) + ": " + e.what(), 2);
    } catch (const std::exception& e) {
      comm.abort("disco: error on rank " + std::to_string(comm.rank()) + " of " +
                     std::to_string(comm.size()) + ": " + e.what(), 1);
    }
  });
}

}  // namespace disco::cli
